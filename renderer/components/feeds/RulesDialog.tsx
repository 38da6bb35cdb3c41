/**
 * The RSS download rules editor: the rules on the left, the selected one's fields on the right, and a
 * live preview (the engine's rssPreview, so it matches exactly as a refresh would) of the items of its
 * feeds it takes. Save replaces every rule at once (rssSetRules); the engine then runs them.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { RssRuleInput, RssState } from '../../../engine/api/rss-types.js';
import { useEngine } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';

const PREVIEW_DELAY_MS = 250;
let nextRuleId = 1;

function newRule(): RssRuleInput {
  return {
    id: `rule-${Date.now().toString(36)}-${nextRuleId++}`,
    name: 'New rule',
    enabled: true,
    mustContain: '',
    mustNotContain: '',
    useRegex: false,
    episodeFilter: '',
    smartFilter: true,
    feedIds: [],
    savePath: null,
    category: null,
    addPaused: false,
  };
}

type Preview = { titles: string[]; error: string | null } | null;

export function RulesDialog(props: { state: RssState; onClose(): void; onSaved(): void }): ReactNode {
  const engine = useEngine();
  const [rules, setRules] = useState<RssRuleInput[]>(() => props.state.rules.map(({ downloadedEpisodes: _, ...r }) => r));
  const [selectedId, setSelectedId] = useState<string | null>(() => props.state.rules[0]?.id ?? null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<Preview>(null);
  const rule = rules.find((r) => r.id === selectedId) ?? null;
  const feeds = props.state.feeds;

  const update = (patch: Partial<RssRuleInput>): void => {
    if (!rule) return;
    setRules((all) => all.map((r) => (r.id === rule.id ? { ...r, ...patch } : r)));
  };

  useEffect(() => {
    if (!rule) {
      setPreview(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      engine
        .request({ type: 'rssPreview', rule })
        .then((r) => {
          if (cancelled) return;
          const title = (feedId: string, itemId: string): string => feeds.find((f) => f.id === feedId)?.items.find((i) => i.id === itemId)?.title ?? itemId;
          setPreview({ titles: r.matches.map((m) => title(m.feedId, m.itemId)), error: r.error });
        })
        .catch((e: unknown) => !cancelled && setPreview({ titles: [], error: errorText(e) }));
    }, PREVIEW_DELAY_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [engine, rule, feeds]);

  const add = (): void => {
    const r = newRule();
    setRules((all) => [...all, r]);
    setSelectedId(r.id);
  };

  const remove = (): void => {
    if (!rule) return;
    const rest = rules.filter((r) => r.id !== rule.id);
    setRules(rest);
    setSelectedId(rest[0]?.id ?? null);
  };

  const save = async (): Promise<void> => {
    setError(null);
    setBusy(true);
    try {
      await engine.request({ type: 'rssSetRules', rules });
      props.onSaved();
      props.onClose();
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  const text = (field: 'name' | 'mustContain' | 'mustNotContain' | 'episodeFilter', label: string, hint?: string): ReactNode => (
    <label className="field">
      <span>{label}</span>
      <input name={field} value={rule?.[field] ?? ''} onChange={(e) => update({ [field]: e.target.value })} placeholder={hint} />
    </label>
  );
  const check = (field: 'enabled' | 'useRegex' | 'smartFilter' | 'addPaused', label: string): ReactNode => (
    <label className="check">
      <input type="checkbox" name={field} checked={rule?.[field] ?? false} onChange={(e) => update({ [field]: e.target.checked })} />
      {label}
    </label>
  );

  return (
    <Dialog
      title="RSS download rules"
      className="rules-dialog"
      onClose={props.onClose}
      onSubmit={() => void save()}
      actions={
        <>
          <button type="button" onClick={props.onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>Save rules</button>
        </>
      }
    >
      <div className="rules-layout">
        <div className="rules-list">
          <ul aria-label="Rules">
            {rules.map((r) => (
              <li key={r.id}>
                <button type="button" className="filter" aria-current={r.id === selectedId ? 'true' : undefined} onClick={() => setSelectedId(r.id)}>
                  {r.name}{r.enabled ? '' : ' (off)'}
                </button>
              </li>
            ))}
          </ul>
          <div className="rules-list-actions">
            <button type="button" onClick={add} data-autofocus={rules.length === 0 ? true : undefined}>New rule</button>
            <button type="button" onClick={remove} disabled={!rule}>Delete rule</button>
          </div>
        </div>
        {rule ? (
          <div className="rule-editor">
            {text('name', 'Name')}
            {check('enabled', 'Enabled')}
            {text('mustContain', 'Must contain', 'words (space = and, | = or) or a regular expression')}
            {text('mustNotContain', 'Must not contain')}
            {check('useRegex', 'Use regular expressions')}
            {text('episodeFilter', 'Episode filter', 'e.g. S01E01- or 1x01-05;2x03')}
            {check('smartFilter', 'Smart episode filter (skip episodes already downloaded)')}
            <fieldset className="rule-feeds">
              <legend>Apply to feeds (none checked: all)</legend>
              {feeds.map((f) => (
                <label key={f.id} className="check">
                  <input type="checkbox" checked={rule.feedIds.includes(f.id)} onChange={(e) => update({ feedIds: e.target.checked ? [...rule.feedIds, f.id] : rule.feedIds.filter((id) => id !== f.id) })} />
                  {f.name}
                </label>
              ))}
            </fieldset>
            <label className="field">
              <span>Save to (empty: the default folder)</span>
              <input name="savePath" value={rule.savePath ?? ''} onChange={(e) => update({ savePath: e.target.value.trim() === '' ? null : e.target.value })} />
            </label>
            <label className="field">
              <span>Category</span>
              <input name="category" value={rule.category ?? ''} onChange={(e) => update({ category: e.target.value.trim() === '' ? null : e.target.value })} />
            </label>
            {check('addPaused', 'Add paused')}
            <section className="rule-preview" aria-label="Preview: items this rule takes" aria-live="polite">
              <h3>Matches now</h3>
              {preview?.error ? <p className="error-text">{preview.error}</p> : null}
              {preview && !preview.error && preview.titles.length === 0 ? <p className="muted">No item of its feeds matches.</p> : null}
              <ul className="preview-list">
                {preview?.titles.map((t, i) => <li key={`${i}-${t}`}>{t}</li>)}
              </ul>
            </section>
          </div>
        ) : (
          <p className="muted">No rules: add one with “New rule”.</p>
        )}
      </div>
      {error ? <p className="error-text" role="alert">{error}</p> : null}
    </Dialog>
  );
}
