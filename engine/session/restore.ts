import type { Settings } from '../api/types.js';
import { DEFAULT_SETTINGS, mergeSettings, validateSettingsPatch } from '../api/validate.js';
import type { ResumeData } from '../storage/resume/resume-data.js';
import type { Entry } from './entry.js';
import { fillFromMeta } from './entry-files.js';
import { decodeMetainfo, entryFromRecord, entryToRecord, newEntry } from './persist.js';

/** The saved settings over the defaults, and a line for the log when the file was unusable. */
export async function loadSettings(store: ResumeData, defaultDownloadDir: string): Promise<{ settings: Settings; problem: string | null }> {
  const stored = await store.loadSettings();
  let settings: Settings = { ...DEFAULT_SETTINGS };
  let problem: string | null = null;
  if (stored !== null && stored !== undefined) {
    // A patch over the defaults: a file from an older version (fewer keys) keeps its values.
    const checked = validateSettingsPatch(stored);
    if (checked.ok) settings = mergeSettings(settings, checked.value);
    else problem = `settings.json ignored (${checked.error.message}); using defaults`;
  }
  if (!settings.downloadDir) settings = { ...settings, downloadDir: defaultDownloadDir };
  return { settings, problem };
}

/**
 * The torrents of the last run, in the order the list had them: first the .torrent files left
 * without a valid record (a crash during add), added again to be hashed, then every record.
 */
export async function loadEntries(store: ResumeData, downloadDir: string, log: (line: string) => void): Promise<Entry[]> {
  const { records, problems, orphans } = await store.loadAll();
  for (const p of problems) log(`resume data: ${p}`);
  const out: Entry[] = [];
  for (const id of orphans) {
    const bytes = await store.loadMetainfo(id);
    if (!bytes) continue;
    try {
      const meta = decodeMetainfo(bytes);
      const entry = newEntry({ id, name: meta.name, meta: null, magnetUri: null, savePath: downloadDir, addedAt: Date.now(), position: out.length, paused: false });
      fillFromMeta(entry, meta);
      entry.fullRecheck = true;
      out.push(entry);
      store.save(entryToRecord(entry));
      log(`resume data: ${meta.name} had no valid record; added again and checking its data`);
    } catch (err) {
      log(`resume data: ${id}.torrent is damaged (${(err as Error).message}); skipped`);
    }
  }
  for (const r of records) out.push(entryFromRecord(r));
  return out;
}
