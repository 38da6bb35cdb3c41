/** The context menu's "Category ▸" and "Tags ▸" submenus for the selection (issue 17). */
import { useShallow } from 'zustand/react/shallow';
import { categoryTree, tagList } from '../lib/sidebar-filters.js';
import { useTessera } from '../store/context.js';
import { useLabelCommands } from './label-commands.js';
import type { MenuItem } from './Menu.js';

export function useLabelSubmenus(): MenuItem[] {
  const labels = useLabelCommands();
  const defs = useTessera((s) => s.settings?.categories);
  const counts = useTessera((s) => s.labelCounts);
  // What the selected torrents share: a category all of them have, and the tags every one of them has.
  const selected = useTessera(useShallow((s) => [...s.selection].map((id) => s.torrents.get(id)).filter((t) => t !== undefined)));
  const common = selected.length > 0 && selected.every((t) => t.category === selected[0].category) ? selected[0].category : undefined;
  const everyHas = (tag: string): boolean => selected.length > 0 && selected.every((t) => t.tags.includes(tag));
  const categories: MenuItem[] = [
    { label: 'None', checked: common === null, run: () => void labels.setCategory(null) },
    ...categoryTree(defs ?? [], counts.byCategory).map((n) => ({ label: n.name, checked: common === n.name, run: () => void labels.setCategory(n.name) })),
  ];
  const tags: MenuItem[] = tagList(counts.byTag).map((t) => ({ label: t.name, checked: everyHas(t.name), run: () => labels.toggleTag(t.name) }));
  return [
    { label: 'Category', run: () => undefined, submenu: [categories, [{ label: 'New category…', run: () => labels.askNewCategory() }]] },
    { label: 'Tags', run: () => undefined, submenu: [...(tags.length > 0 ? [tags] : []), [{ label: 'New tag…', run: () => labels.askNewTag() }]] },
  ];
}
