/**
 * One dialog for several torrents at once (dropped, picked, pasted or opened together): the list of what
 * will be added, one set of options for all of them (folder, start paused, queue place), and "Add all",
 * "One by one" (the single Add dialog for each in turn, with file choice) or "Cancel". Items are
 * inspected as they arrive; ones already in the list or unusable are shown and skipped.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { addOrder, allRead, batchSummary, itemDetail, itemName, itemStateOf, type BatchItem, type BatchItemState } from '../../lib/batch-add.js';
import { useEngine, useTessera } from '../../store/context.js';
import type { AddRequest } from '../../store/ui-slice.js';
import { errorText } from '../commands.js';
import { Dialog } from '../Dialog.js';
import { FolderField, useFolderCheck } from '../FolderField.js';
import { CloseIcon, FileIcon, MagnetIcon } from '../icons.js';
import { AddOptions } from './AddOptions.js';
import { LabelFields, labelFieldsOf, labelsOf, useLabelChoice } from './LabelFields.js';
import { addTorrent, inspect } from './add-protocol.js';

export function BatchAddDialog({ requests }: { requests: readonly AddRequest[] }): ReactNode {
  const engine = useEngine();
  const finishAdds = useTessera((s) => s.finishAdds);
  const setOneByOne = useTessera((s) => s.setAddOneByOne);
  const defaultDir = useTessera((s) => s.settings?.downloadDir ?? '');
  const [states, setStates] = useState<ReadonlyMap<number, BatchItemState>>(new Map());
  const [savePath, setSavePath] = useState(defaultDir);
  const folder = useFolderCheck(savePath.trim() || defaultDir);
  const [startPaused, setStartPaused] = useState(false);
  const [queueTop, setQueueTop] = useState(false);
  const { categories, labels, choose: chooseLabels } = useLabelChoice({ savePath, setSavePath, defaultDir });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const started = useRef(new Set<number>());
  const live = useRef(true);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );

  // Inspect each request once, as it joins the batch.
  useEffect(() => {
    for (const r of requests) {
      if (started.current.has(r.key)) continue;
      started.current.add(r.key);
      const settle = (state: BatchItemState): void => {
        if (live.current) setStates((m) => new Map(m).set(r.key, state));
      };
      inspect(engine, r.source).then(
        (info) => settle(itemStateOf(info)),
        (e: unknown) => settle({ kind: 'unusable', reason: errorText(e) }),
      );
    }
  }, [requests, engine]);

  const items: BatchItem[] = requests.map((r) => ({ key: r.key, source: r.source, label: r.label, state: states.get(r.key) ?? { kind: 'reading' } }));
  const todo = addOrder(items, queueTop);
  const ready = allRead(items);

  const cancel = (): void => finishAdds(requests.map((r) => r.key));

  const addAll = async (): Promise<void> => {
    if (!ready || todo.length === 0 || folder.state !== 'ok') return;
    const chosen = labelsOf(labels);
    if (!chosen.ok) {
      setError(chosen.problem);
      return;
    }
    const labelFields = labelFieldsOf(chosen);
    setBusy(true);
    setError(null);
    const dir = savePath.trim();
    const failed = new Map<number, BatchItemState>();
    const done: number[] = [];
    for (const item of todo) {
      try {
        await addTorrent(engine, { source: item.source, paused: startPaused, queueTop, ...(dir ? { savePath: dir } : {}), ...labelFields });
        done.push(item.key);
      } catch (e) {
        const s = item.state;
        failed.set(item.key, { kind: 'failed', info: s.kind === 'ready' ? s.info : s.kind === 'failed' ? s.info : null, reason: errorText(e) });
      }
    }
    if (!live.current) return;
    // Skipped items leave with the added ones; refused ones stay, with the engine's reason.
    const skipped = items.filter((i) => i.state.kind === 'already' || i.state.kind === 'unusable').map((i) => i.key);
    if (failed.size > 0) {
      setStates((m) => new Map([...m, ...failed]));
      setError(`${failed.size} of ${todo.length} could not be added; see the list. Change the options and try again, or remove them.`);
      setBusy(false);
      finishAdds([...done, ...skipped]);
      return;
    }
    finishAdds([...done, ...skipped]);
  };

  return (
    <Dialog
      title="Add torrents"
      className="add-dialog batch-add-dialog"
      onClose={cancel}
      onSubmit={() => void addAll()}
      actions={
        <>
          <span className="muted queue-note" role="status">
            {ready ? batchSummary(items) : `Reading ${items.filter((i) => i.state.kind === 'reading').length} of ${items.length}…`}
          </span>
          <button type="button" onClick={cancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" onClick={() => setOneByOne(true)} disabled={busy} title="Open the Add dialog for each in turn, to choose files">
            One by one
          </button>
          <button type="submit" className="primary" disabled={busy || !ready || todo.length === 0 || folder.state !== 'ok'}>
            Add all
          </button>
        </>
      }
    >
      <ul className="batch-list" aria-label="Torrents to add">
        {items.map((item) => {
          const name = itemName(item);
          const tone = item.state.kind === 'unusable' || item.state.kind === 'failed' ? ' error-text' : item.state.kind === 'already' ? ' warning' : ' muted';
          return (
            <li key={item.key} className="batch-item">
              {item.source.kind === 'magnet' ? <MagnetIcon className="batch-kind" /> : <FileIcon className="batch-kind" />}
              <span className="batch-text">
                <span className="batch-name" title={name}>
                  {name}
                </span>
                <span className={`batch-detail${tone}`}>{itemDetail(item)}</span>
              </span>
              <button type="button" className="icon-button" aria-label={`Leave out ${name}`} title="Leave out of this batch" disabled={busy} onClick={() => finishAdds([item.key])}>
                <CloseIcon />
              </button>
            </li>
          );
        })}
      </ul>
      <FolderField label="Save all to" name="savePath" value={savePath} onChange={setSavePath} status={folder} placeholder="the default download folder" autoFocus />
      <LabelFields categories={categories} value={labels} onChange={chooseLabels} />
      <AddOptions startPaused={startPaused} onStartPaused={setStartPaused} queueTop={queueTop} onQueueTop={setQueueTop} />
      <p className="muted batch-note">Every file of each torrent is downloaded. To choose files, use One by one.</p>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
    </Dialog>
  );
}
