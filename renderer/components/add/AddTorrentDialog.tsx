/**
 * The one "Add torrent" dialog for every way of adding (file picker, drop, paste, magnet dialog, the
 * OS). A .torrent is inspected, then added with the chosen files, folder, start and queue options. A
 * magnet is added at once with stopAfterMetadata (the engine pauses it when its metadata arrives); the
 * file tree fills in then; Add sets priorities, folder and queue place and resumes it; Cancel removes it.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { FilePriority, ListedFile, TorrentId } from '../../../engine/api/types.js';
import { priorityGroups, wantedBytes } from '../../lib/add-tree.js';
import { buildFileTree, initialCollapsed, toggled, type FolderNode } from '../../lib/file-tree.js';
import { formatBytes } from '../../lib/format.js';
import { useEngine, useStoreApi, useTessera } from '../../store/context.js';
import type { AddRequest } from '../../store/ui-slice.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';
import { AddOptions } from './AddOptions.js';
import { FolderField, useFolderCheck } from '../FolderField.js';
import { addTorrent, inspect, type InspectResult } from './add-protocol.js';
import { BatchAddDialog } from './BatchAddDialog.js';
import { FileTree } from './FileTree.js';
import { LabelFields, labelFieldsOf, labelsOf, useLabelChoice } from './LabelFields.js';
import { categorySavePath } from '../../../engine/api/categories.js';

const NOTHING: readonly AddRequest[] = [];

/**
 * Several requests waiting together open the batch dialog (BatchAddDialog.tsx) unless the user chose
 * "One by one"; one request opens this dialog. A single dialog already open stays open when more arrive
 * (they wait, and are shown as a batch after it if there are several).
 */
export function AddTorrentDialog(): ReactNode {
  const queue = useTessera((s) => (s.dialog === null ? s.addQueue : NOTHING));
  const oneByOne = useTessera((s) => s.addOneByOne);
  const [singleKey, setSingleKey] = useState<number | null>(null);
  const request = queue[0];
  if (!request) return null;
  const single = oneByOne || queue.length === 1 || request.key === singleKey;
  if (!single) return <BatchAddDialog requests={queue} />;
  // Remembered during render (React's pattern for state derived from props), so the choice holds.
  if (singleKey !== request.key) setSingleKey(request.key);
  return <AddFlow key={request.key} request={request} waiting={queue.length - 1} />;
}

type Files = ListedFile[];

function AddFlow({ request, waiting }: { request: AddRequest; waiting: number }): ReactNode {
  const engine = useEngine();
  const store = useStoreApi();
  const finish = useTessera((s) => s.finishAdd);
  const defaultDir = useTessera((s) => s.settings?.downloadDir ?? '');
  const isMagnet = request.source.kind === 'magnet';

  const [info, setInfo] = useState<InspectResult | null>(null);
  const [files, setFiles] = useState<Files | null>(null);
  const [tree, setTree] = useState<FolderNode | null>(null);
  const [priorities, setPriorities] = useState<FilePriority[]>([]);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const [magnetId, setMagnetId] = useState<TorrentId | null>(null);
  const [addedDir, setAddedDir] = useState<string>('');
  const [savePath, setSavePath] = useState(defaultDir);
  const [startPaused, setStartPaused] = useState(false);
  const [queueTop, setQueueTop] = useState(false);
  const { categories, labels, choose: chooseLabels } = useLabelChoice({ savePath, setSavePath, defaultDir });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Empty: the default download folder, which is checked the same way.
  const folder = useFolderCheck(savePath.trim() || defaultDir);

  const showFiles = (list: Files, fileCount: number): void => {
    const next = buildFileTree(list);
    setFiles(list);
    setTree(next);
    // Indexed like the torrent's files, padding included (its entries are never shown or changed).
    setPriorities(Array.from({ length: fileCount }, () => 'normal'));
    setCollapsed(initialCollapsed(next));
  };

  // Inspect; a magnet is then added paused-after-metadata so its metadata can be fetched.
  useEffect(() => {
    let live = true;
    const startMagnet = async (): Promise<void> => {
      const dir = store.getState().settings?.downloadDir ?? '';
      const r = await addTorrent(engine, { source: request.source, stopAfterMetadata: true, ...(dir ? { savePath: dir } : {}) });
      if (!live) {
        void engine.request({ type: 'remove', ids: [r.id], deleteData: true }).catch(() => undefined);
        return;
      }
      setAddedDir(dir);
      setMagnetId(r.id);
    };
    (async () => {
      let result: InspectResult;
      try {
        result = await inspect(engine, request.source);
      } catch (e) {
        if (live) setError(unusableInput(isMagnet, errorText(e)));
        return;
      }
      if (!live) return;
      setInfo(result);
      if (result.alreadyAdded) return;
      if (result.metadataKnown) showFiles(result.files, result.fileCount);
      if (isMagnet) await startMagnet();
    })().catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
    // Once per request: the component is keyed by it.
  }, []);

  // A magnet's metadata: the metadataReceived notice, or the torrent leaving the 'metadata' state.
  useEffect(() => {
    if (magnetId === null) return;
    let done = false;
    const check = (): void => {
      const s = store.getState();
      const row = s.torrents.get(magnetId);
      const noticed = s.notices.some((n) => n.type === 'metadataReceived' && n.id === magnetId);
      if (done || (!noticed && (!row || row.state === 'metadata'))) return;
      done = true;
      engine.request({ type: 'getInfo', id: magnetId }).then(
        (i) => {
          setInfo((prev) => ({ ...(prev ?? emptyInfo()), name: i.name, infoHash: i.infoHash, totalBytes: i.totalBytes, pieceLength: i.pieceLength, pieceCount: i.pieceCount, private: i.private, comment: i.comment, createdBy: i.createdBy, files: i.files, fileCount: i.fileCount, metadataKnown: true, alreadyAdded: false }));
          showFiles(i.files, i.fileCount);
        },
        (e: unknown) => setError(`Could not read the torrent's files: ${errorText(e)}`),
      );
    };
    check();
    return store.subscribe(check);
  }, [magnetId, engine, store]);

  const name = info?.name || request.label;
  const total = files ? files.reduce((a, f) => a + f.length, 0) : (info?.totalBytes ?? 0);
  const wanted = files ? wantedBytes(files, priorities) : 0;
  const already = info?.alreadyAdded === true;
  const nothingWanted = files !== null && files.length > 0 && files.every((f) => priorities[f.index] === 'skip');

  const cancel = (): void => {
    if (magnetId !== null) void engine.request({ type: 'remove', ids: [magnetId], deleteData: true }).catch(() => undefined);
    finish(request.key);
  };

  const submit = async (): Promise<void> => {
    if (already || folder.state !== 'ok') return;
    if (nothingWanted) {
      setError('Every file is unchecked. Check at least one file to download.');
      return;
    }
    const chosen = labelsOf(labels);
    if (!chosen.ok) {
      setError(chosen.problem);
      return;
    }
    const labelFields = labelFieldsOf(chosen);
    setBusy(true);
    setError(null);
    const dir = savePath.trim();
    try {
      if (!isMagnet) {
        const custom = priorities.some((p) => p !== 'normal');
        await addTorrent(engine, { source: request.source, paused: startPaused, queueTop, ...(dir ? { savePath: dir } : {}), ...(custom ? { filePriorities: priorities } : {}), ...labelFields });
      } else if (magnetId !== null && files !== null) {
        const groups = priorityGroups(priorities);
        for (const p of ['skip', 'low', 'high'] as const) {
          const list = groups[p];
          if (list?.length) await engine.request({ type: 'setFilePriority', id: magnetId, files: list, priority: p });
        }
        // The category first: a folder typed in "Save to" wins over the category's, as in a plain add.
        if (chosen.category) await engine.request({ type: 'setCategory', ids: [magnetId], category: chosen.category });
        if (chosen.tags) await engine.request({ type: 'setTags', ids: [magnetId], add: chosen.tags, remove: [] });
        const followed = categorySavePath(categories, chosen.category ?? null) ?? addedDir;
        if (dir && dir !== followed) await engine.request({ type: 'moveStorage', id: magnetId, savePath: dir });
        if (queueTop) await engine.request({ type: 'queueMove', ids: [magnetId], to: 'top' });
        if (!startPaused) await engine.request({ type: 'resume', ids: [magnetId] });
      } else {
        // No metadata yet: the stop-after-metadata copy is replaced by a plain add with the chosen options.
        if (magnetId !== null) await engine.request({ type: 'remove', ids: [magnetId], deleteData: true });
        await addTorrent(engine, { source: request.source, paused: startPaused, queueTop, ...(dir ? { savePath: dir } : {}), ...labelFields });
      }
      finish(request.key);
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  };

  const fetching = isMagnet && files === null && !already && error === null;
  return (
    <Dialog
      title="Add torrent"
      className="add-dialog"
      onClose={cancel}
      onSubmit={() => void submit()}
      actions={
        <>
          {waiting > 0 ? <span className="muted queue-note">{waiting} more waiting</span> : null}
          <button type="button" onClick={cancel}>{already ? 'Close' : 'Cancel'}</button>
          <button type="submit" className="primary" disabled={busy || already || (info === null && !isMagnet) || (error !== null && info === null) || folder.state !== 'ok'}>
            Add
          </button>
        </>
      }
    >
      <div className="add-summary">
        <p className="add-name" title={name}>{name}</p>
        <p className="muted">
          {files ? `${formatBytes(total)} in ${files.length} ${files.length === 1 ? 'file' : 'files'}${wanted !== total ? ` · ${formatBytes(wanted)} selected` : ''}` : null}
          {info?.private ? ' · private torrent' : ''}
        </p>
        {info?.comment ? <p className="muted add-comment">{info.comment}</p> : null}
      </div>
      {already ? <p className="warning" role="status">This torrent is already in your list.</p> : null}
      {fetching ? <p role="status" className="fetching">Fetching metadata… the file list appears once peers send it. You can add now and choose files later.</p> : null}
      {!fetching && info === null && error === null && !isMagnet ? <p role="status">Reading the torrent…</p> : null}
      {tree && files && files.length > 0 && !already ? (
        <FileTree root={tree} priorities={priorities} collapsed={collapsed} onPriorities={setPriorities} onToggle={(p) => setCollapsed((s) => toggled(s, p))} />
      ) : null}
      {!already ? (
        <>
          <FolderField label="Save to" name="savePath" value={savePath} onChange={setSavePath} status={folder} placeholder="the default download folder" />
          <LabelFields categories={categories} value={labels} onChange={chooseLabels} />
          <AddOptions startPaused={startPaused} onStartPaused={setStartPaused} queueTop={queueTop} onQueueTop={setQueueTop} />
        </>
      ) : null}
      {error ? <p className="error-text" role="alert">{error}</p> : null}
    </Dialog>
  );
}

function emptyInfo(): InspectResult {
  return { name: '', infoHash: '', totalBytes: 0, pieceLength: 0, pieceCount: 0, files: [], fileCount: 0, private: false, comment: null, createdBy: null, metadataKnown: false, alreadyAdded: false };
}

/** The engine's reason, with what the user can do about it. */
export function unusableInput(isMagnet: boolean, reason: string): string {
  return isMagnet
    ? `This magnet link cannot be used (${reason}). Copy the whole link again from where you found it.`
    : `This file is not a usable torrent (${reason}). Download the .torrent file again from where you found it.`;
}
