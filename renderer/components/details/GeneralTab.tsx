/**
 * The General tab: static facts from getInfo (cached per torrent) and live ones from the list row;
 * availability from the piece map the General tab subscribes to.
 */
import { useEffect, useState, type ReactNode } from 'react';
import type { TorrentId, TorrentInfo, TorrentSummary } from '../../../engine/api/types.js';
import { formatBytes, formatDate, formatPercent, formatRate, formatRatio } from '../../lib/format.js';
import { etaText, statusText } from '../../lib/torrent-view.js';
import { countBits, distributedCopies } from '../../lib/piece-map.js';
import { useEngine, useTessera } from '../../store/context.js';
import { useShownRateText } from '../../store/shown-rates.js';
import { InfoCache, errorAdvice, sinceText } from './general-view.js';

const cache = new InfoCache();

function useTorrentInfo(id: TorrentId, state: TorrentSummary['state'] | undefined): { info: TorrentInfo | null; error: string | null } {
  const engine = useEngine();
  const [result, setResult] = useState<{ id: TorrentId; info: TorrentInfo | null; error: string | null }>(() => ({ id, info: cache.get(id) ?? null, error: null }));
  // A magnet's facts arrive with its metadata: ask again when the state moves on from 'metadata'.
  const waiting = state === 'metadata';
  useEffect(() => {
    let live = true;
    const hit = cache.get(id);
    if (hit) {
      setResult({ id, info: hit, error: null });
      return;
    }
    cache.load(id, (tid) => engine.request({ type: 'getInfo', id: tid })).then(
      (info) => live && setResult({ id, info, error: null }),
      (err: unknown) => live && setResult({ id, info: null, error: err instanceof Error ? err.message : String(err) }),
    );
    return () => {
      live = false;
    };
  }, [engine, id, waiting]);
  return result.id === id ? result : { info: cache.get(id) ?? null, error: null };
}

export function GeneralTab(props: { id: TorrentId }): ReactNode {
  const t = useTessera((s) => s.torrents.get(props.id));
  const downRate = useShownRateText(props.id, 'down', '0 B/s');
  const upRate = useShownRateText(props.id, 'up', '0 B/s');
  const pieces = useTessera((s) => s.pieces);
  const { info, error } = useTorrentInfo(props.id, t?.state);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 10_000);
    return () => window.clearInterval(timer);
  }, []);
  if (!t) return <p className="dt-empty">This torrent is no longer in the list.</p>;

  const pieceCount = pieces?.pieceCount ?? info?.pieceCount ?? 0;
  const pieceLength = pieces?.pieceLength ?? info?.pieceLength ?? 0;
  const copies = pieces && pieces.pieceCount > 0 ? distributedCopies(pieces.availability, pieces.pieceCount) : null;
  const havePieces = pieces ? countBits(pieces.have, pieces.pieceCount) : null;
  const status = statusText(t);

  return (
    <div className="dt-general" tabIndex={0} role="region" aria-label="General">
      {t.state === 'error' || t.error ? <ErrorBox id={t.id} message={t.error ?? t.stateReason} /> : null}
      <section aria-labelledby="dt-gen-transfer">
        <h3 id="dt-gen-transfer">Transfer</h3>
        <dl className="dt-facts">
          <Fact label="State">
            <span className={`dt-state dt-state-${t.state}`}>{status.label}</span>
            {status.detail && t.state !== 'error' ? <span className="dt-muted"> — {status.detail}</span> : null}
          </Fact>
          <Fact label="Progress">{`${formatPercent(t.progress)} (${formatBytes(t.doneBytes)} of ${formatBytes(t.wantedBytes)} wanted)`}</Fact>
          <Fact label="Download rate">{downRate}</Fact>
          <Fact label="Upload rate">{upRate}</Fact>
          <Fact label="Time left">{etaText(t, '—')}</Fact>
          <Fact label="Downloaded">{formatBytes(t.downloadedTotal)}</Fact>
          <Fact label="Uploaded">{formatBytes(t.uploadedTotal)}</Fact>
          <Fact label="Share ratio">{formatRatio(t.ratio)}</Fact>
          <Fact label="Peers">{`${t.peers} connected, ${t.seeds} seeds`}</Fact>
          <Fact label="Availability">
            {copies === null ? '—' : <span className={copies < 1 ? 'dt-danger' : undefined}>{copies.toFixed(3)}</span>}
            {copies !== null && copies < 1 && t.progress < 1 ? <span className="dt-muted"> — some pieces are on no connected peer; the download cannot finish until one appears</span> : null}
          </Fact>
          <Fact label="Limits">{`↓ ${t.downloadLimit === null ? 'none' : formatRate(t.downloadLimit, '0 B/s')}, ↑ ${t.uploadLimit === null ? 'none' : formatRate(t.uploadLimit, '0 B/s')}`}</Fact>
          <Fact label="Added">{`${formatDate(t.addedAt)} (${sinceText(t.addedAt, now) || 'just now'} ago)`}</Fact>
          <Fact label="Completed">{t.completedAt ? `${formatDate(t.completedAt)} (seeding for ${sinceText(t.completedAt, now) || 'a moment'})` : 'not yet'}</Fact>
        </dl>
      </section>
      <section aria-labelledby="dt-gen-info">
        <h3 id="dt-gen-info">Torrent</h3>
        <dl className="dt-facts">
          <Fact label="Name">{t.name}</Fact>
          <Fact label={!info?.infoHashV2 ? 'Info hash' : info.infoHashV2.startsWith(info.infoHash) ? 'Torrent id (v2 hash, truncated)' : 'Info hash v1'}>
            <code className="dt-mono dt-select">{info?.infoHash ?? t.id}</code>
          </Fact>
          {info?.infoHashV2 && (
            <Fact label="Info hash v2">
              <code className="dt-mono dt-select">{info.infoHashV2}</code>
            </Fact>
          )}
          <Fact label="Save path">
            <span className="dt-mono dt-select">{t.savePath}</span>
          </Fact>
          <Fact label="Total size">{formatBytes(t.totalBytes)}</Fact>
          <Fact label="Pieces">
            {pieceCount > 0 ? `${pieceCount.toLocaleString('en-US')} × ${formatBytes(pieceLength)}${havePieces !== null ? ` (have ${havePieces.toLocaleString('en-US')})` : ''}` : 'unknown until the metadata arrives'}
          </Fact>
          <Fact label="Private">{info ? (info.private ? 'yes (no DHT, PEX or LSD)' : 'no') : ''}</Fact>
          <Fact label="Created by">{info?.createdBy ?? '—'}</Fact>
          <Fact label="Created on">{info?.creationDate ? formatDate(info.creationDate * 1000) : '—'}</Fact>
          <Fact label="Comment">{info?.comment ? <span className="dt-select dt-comment">{info.comment}</span> : '—'}</Fact>
          <Fact label="Magnet link">{info ? <code className="dt-mono dt-select dt-magnet" tabIndex={0} aria-label="Magnet link">{info.magnetUri}</code> : ''}</Fact>
        </dl>
        {error ? (
          <p className="dt-danger" role="alert">{`Could not load the torrent's facts: ${error}`}</p>
        ) : null}
      </section>
    </div>
  );
}

function Fact(props: { label: string; children: ReactNode }): ReactNode {
  return (
    <div className="dt-fact">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function ErrorBox(props: { id: TorrentId; message: string }): ReactNode {
  const engine = useEngine();
  const [failure, setFailure] = useState<string | null>(null);
  const run = (type: 'resume' | 'recheck'): void => {
    setFailure(null);
    engine.request({ type, ids: [props.id] }).catch((e: unknown) => setFailure(e instanceof Error ? e.message : String(e)));
  };
  return (
    <div className="dt-error" role="alert">
      <strong>Error:</strong> <span className="dt-select">{props.message || 'unknown error'}</span>
      <p>{errorAdvice(props.message)}</p>
      <div className="dt-actions">
        <button type="button" onClick={() => run('resume')}>
          Resume
        </button>
        <button type="button" onClick={() => run('recheck')}>
          Force recheck
        </button>
      </div>
      {failure ? <p>{failure}</p> : null}
    </div>
  );
}
