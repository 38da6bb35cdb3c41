/**
 * The Peers tab: who we talk to and what flows each way. Rows keep their places while rates change:
 * sorted by address unless the user picks a column, and a sort by a rate column is refreshed at most
 * every few seconds (newcomers join at the end meanwhile).
 */
import { useMemo, useRef, useState, type ReactNode } from 'react';
import type { PeerInfo } from '../../../engine/api/types.js';
import { formatBytes, formatRate } from '../../lib/format.js';
import { PEER_FLAGS, describeFlags, isVolatile, orderPeers, parseFlags, type PeerSort, type PeerSortKey } from '../../lib/peer-table.js';
import { useEngine, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { Bar } from './Bar.js';
import { SortIcon } from '../icons.js';

const RESORT_MS = 3000;

const COLUMNS: { key: PeerSortKey; label: string; numeric: boolean }[] = [
  { key: 'address', label: 'Address', numeric: false },
  { key: 'client', label: 'Client', numeric: false },
  { key: 'flags', label: 'Flags', numeric: false },
  { key: 'downRate', label: 'Down', numeric: true },
  { key: 'upRate', label: 'Up', numeric: true },
  { key: 'progress', label: 'Their progress', numeric: false },
  { key: 'downloaded', label: 'Downloaded', numeric: true },
  { key: 'uploaded', label: 'Uploaded', numeric: true },
];

export function PeersTab(): ReactNode {
  const peers = useTessera((s) => s.peers);
  const [sort, setSort] = useState<PeerSort>({ key: 'address', descending: false });
  const order = useRef<{ addresses: string[]; sort: PeerSort; at: number }>({ addresses: [], sort, at: 0 });

  const rows = useMemo(() => {
    if (!peers) return [];
    const prev = order.current;
    const now = Date.now();
    const resort = prev.sort !== sort || !isVolatile(sort.key) || now - prev.at >= RESORT_MS;
    const addresses = orderPeers(prev.addresses, peers, sort, resort);
    order.current = { addresses, sort, at: resort ? now : prev.at };
    const byAddress = new Map(peers.map((p) => [p.address, p] as const));
    return addresses.map((a) => byAddress.get(a)).filter((p): p is PeerInfo => p !== undefined);
  }, [peers, sort]);

  if (!peers) return <p className="dt-empty">Loading peers…</p>;

  const downloadingFrom = peers.filter((p) => p.flags.includes('D')).length;
  const uploadingTo = peers.filter((p) => p.flags.includes('U')).length;
  const onSort = (key: PeerSortKey): void =>
    setSort((s) => (s.key === key ? { key, descending: !s.descending } : { key, descending: COLUMNS.find((c) => c.key === key)?.numeric === true }));

  return (
    <div className="dt-peers">
      <div className="dt-toolbar">
        <span>{`${peers.length} ${peers.length === 1 ? 'peer' : 'peers'}: downloading from ${downloadingFrom}, uploading to ${uploadingTo}`}</span>
        <span className="dt-spacer" />
        <AddPeer />
        <FlagLegend />
      </div>
      {peers.length === 0 ? (
        <p className="dt-empty">No peers connected. Check the Trackers tab for announce errors, and that DHT/PEX are on for public torrents.</p>
      ) : (
        <div className="dt-scroll" tabIndex={0} role="region" aria-label="Peers list">
          <table className="dt-table dt-peers-table" aria-label="Peers">
            <thead>
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.key} scope="col" className={c.numeric ? 'dt-num' : undefined} aria-sort={sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
                    <button type="button" className="dt-sort" onClick={() => onSort(c.key)}>
                      {c.label}
                      <span aria-hidden="true" className="dt-sort-mark">
                        {sort.key === c.key ? <SortIcon descending={sort.descending} /> : null}
                      </span>
                    </button>
                  </th>
                ))}
                <th scope="col"><span className="dt-sr">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <PeerRow key={p.address} peer={p} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function PeerRow(props: { peer: PeerInfo }): ReactNode {
  const p = props.peer;
  return (
    <tr className="dt-row">
      <td className="dt-mono dt-select">{p.address}</td>
      <td>{p.client || <span className="dt-muted">unknown</span>}</td>
      <td>
        <Flags flags={p.flags} />
      </td>
      <td className="dt-num dt-down">{formatRate(p.downRate)}</td>
      <td className="dt-num dt-up">{formatRate(p.upRate)}</td>
      <td className="dt-col-bar">
        <Bar fraction={p.progress} label={`Progress of ${p.address}`} />
      </td>
      <td className="dt-num">{p.downloaded > 0 ? formatBytes(p.downloaded) : ''}</td>
      <td className="dt-num">{p.uploaded > 0 ? formatBytes(p.uploaded) : ''}</td>
      <td className="dt-row-actions">
        <BanButton address={p.address} />
      </td>
    </tr>
  );
}

/** Bans the peer: disconnected, and refused by every torrent until the engine restarts. */
function BanButton(props: { address: string }): ReactNode {
  const engine = useEngine();
  const id = useTessera((s) => s.detailsId);
  const toast = useTessera((s) => s.toast);
  const ban = (): void => {
    if (id === null) return;
    engine.request({ type: 'banPeer', id, peer: props.address }).then(
      () => toast('info', `Banned ${props.address} until Tessera restarts`),
      (e: unknown) => toast('error', `Could not ban ${props.address}: ${errorText(e)}`),
    );
  };
  return (
    <button type="button" aria-label={`Ban ${props.address}`} onClick={ban}>
      Ban
    </button>
  );
}

/** Dials a peer by address ("host:port" or "[v6]:port"). */
function AddPeer(): ReactNode {
  const engine = useEngine();
  const id = useTessera((s) => s.detailsId);
  const toast = useTessera((s) => s.toast);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = (): void => {
    const peer = text.trim();
    if (id === null) return;
    if (!/^(\[[0-9a-fA-F:.]+\]|[^\s:\[\]]+):\d{1,5}$/.test(peer)) {
      setError('Enter the peer as host:port, or [IPv6]:port.');
      return;
    }
    engine.request({ type: 'addPeers', id, peers: [peer] }).then(
      () => {
        setText('');
        toast('info', `Connecting to ${peer}`);
      },
      (e: unknown) => setError(errorText(e)),
    );
  };
  return (
    <form
      className="dt-inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        add();
      }}
    >
      <input
        aria-label="Peer address to add"
        placeholder="host:port"
        spellCheck={false}
        value={text}
        aria-invalid={error !== null}
        title={error ?? undefined}
        onChange={(e) => {
          setText(e.target.value);
          setError(null);
        }}
      />
      <button type="submit">Add peer</button>
      {error ? <span className="error-text" role="alert">{error}</span> : null}
    </form>
  );
}

function Flags(props: { flags: string }): ReactNode {
  const flags = parseFlags(props.flags);
  return (
    <span className="dt-flags" title={describeFlags(props.flags)}>
      <span aria-hidden="true">
        {flags.map((f) => (
          <abbr key={f.letter} className={`dt-flag dt-flag-${f.letter === f.letter.toUpperCase() ? 'on' : 'off'}`} title={f.label}>
            {f.letter}
          </abbr>
        ))}
      </span>
      <span className="dt-sr">{describeFlags(props.flags)}</span>
    </span>
  );
}

function FlagLegend(): ReactNode {
  return (
    <details className="dt-legend-pop">
      <summary>Flags legend</summary>
      <dl>
        {PEER_FLAGS.map((f) => (
          <div key={f.letter}>
            <dt>
              <span className={`dt-flag dt-flag-${f.letter === f.letter.toUpperCase() ? 'on' : 'off'}`}>{f.letter}</span>
            </dt>
            <dd>{f.label}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}
