/**
 * The Feeds view (issue 17): feeds with their status, last refresh and error on the left; the selected
 * feed's items on the right (title, date, size, the rule that took it, downloaded ✓, "Download");
 * adding, refreshing and removing feeds; the Rules dialog.
 */
import '../../styles/feeds.css';
import { useState, type FormEvent, type ReactNode } from 'react';
import type { RssFeedInfo, RssItem } from '../../../engine/api/rss-types.js';
import { formatBytes, formatDate } from '../../lib/format.js';
import { useEngine, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { RulesDialog } from './RulesDialog.js';
import { useRss } from './use-rss.js';

const STATUS_TEXT: Record<RssFeedInfo['status'], string> = { idle: 'not fetched yet', refreshing: 'refreshing…', ok: 'ok', error: 'error' };

export function FeedsView(): ReactNode {
  const engine = useEngine();
  const toast = useTessera((s) => s.toast);
  const { state, error, reload } = useRss();
  const [selected, setSelected] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [addError, setAddError] = useState<string | null>(null);
  const [rulesOpen, setRulesOpen] = useState(false);
  const feeds = state?.feeds ?? [];
  const feed = feeds.find((f) => f.id === selected) ?? feeds[0] ?? null;

  const run = async (what: string, f: () => Promise<unknown>): Promise<void> => {
    try {
      await f();
    } catch (e) {
      toast('error', `${what}: ${errorText(e)}`);
    }
    await reload();
  };

  const addFeed = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setAddError(null);
    try {
      const added = await engine.request({ type: 'rssAddFeed', url: url.trim() });
      setUrl('');
      setSelected(added.id);
    } catch (err) {
      setAddError(errorText(err));
    }
    await reload();
  };

  return (
    <section className="feeds-view" aria-label="RSS feeds">
      <div className="feeds-bar">
        <form className="feeds-add" onSubmit={(e) => void addFeed(e)}>
          <label className="field inline">
            <span>Feed URL</span>
            <input name="feedUrl" type="url" required placeholder="https://…/rss" value={url} onChange={(e) => setUrl(e.target.value)} aria-invalid={addError !== null} aria-describedby={addError ? 'feed-add-error' : undefined} />
          </label>
          <button type="submit">Add feed</button>
        </form>
        <button type="button" onClick={() => void run('Refresh', () => engine.request({ type: 'rssRefresh', feedIds: 'all' }))} disabled={feeds.length === 0}>
          Refresh all
        </button>
        <button type="button" onClick={() => setRulesOpen(true)}>Download rules…</button>
      </div>
      {addError ? <p id="feed-add-error" className="error-text feeds-message" role="alert">{addError}</p> : null}
      {error ? <p className="error-text feeds-message" role="alert">{error}</p> : null}
      <div className="feeds-panes">
        <div className="feeds-list">
          <h2 className="sidebar-title" id="feeds-heading">Feeds</h2>
          {feeds.length === 0 ? <p className="muted feeds-empty">No feeds yet: add one by its URL above.</p> : null}
          <ul aria-labelledby="feeds-heading">
            {feeds.map((f) => (
              <li key={f.id}>
                <button type="button" className={`feed feed-${f.status}`} aria-current={f.id === feed?.id ? 'true' : undefined} onClick={() => setSelected(f.id)}>
                  <span className="feed-name">{f.name}</span>
                  <span className="feed-status">
                    {STATUS_TEXT[f.status]} · {f.items.length} items{f.lastRefresh ? ` · ${formatDate(f.lastRefresh)}` : ''}
                  </span>
                  {f.error ? <span className="feed-error error-text">{f.error}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        </div>
        <div className="feed-items">
          {feed ? <FeedItems feed={feed} run={run} /> : <p className="muted feeds-empty">Select a feed to see its items.</p>}
        </div>
      </div>
      {rulesOpen && state ? <RulesDialog state={state} onClose={() => setRulesOpen(false)} onSaved={() => void reload()} /> : null}
    </section>
  );
}

function FeedItems(props: { feed: RssFeedInfo; run(what: string, f: () => Promise<unknown>): Promise<void> }): ReactNode {
  const engine = useEngine();
  const { feed, run } = props;
  return (
    <>
      <div className="feed-head">
        <h2 className="feed-title">{feed.name}</h2>
        <span className="muted feed-url">{feed.url}</span>
        <span className="spacer" />
        <button type="button" onClick={() => void run('Refresh', () => engine.request({ type: 'rssRefresh', feedIds: [feed.id] }))}>Refresh</button>
        <button type="button" onClick={() => void run('Mark read', () => engine.request({ type: 'rssMarkRead', feedId: feed.id, itemIds: 'all' }))}>Mark all read</button>
        <button type="button" onClick={() => void run('Remove feed', () => engine.request({ type: 'rssRemoveFeed', feedId: feed.id }))}>Remove feed</button>
      </div>
      {feed.error ? <p className="error-text feeds-message" role="status">Last refresh failed: {feed.error}</p> : null}
      <table className="items-table" aria-label={`Items of ${feed.name}`}>
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Date</th>
            <th scope="col" className="num">Size</th>
            <th scope="col">Matched by</th>
            <th scope="col">Downloaded</th>
            <th scope="col"><span className="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {feed.items.map((item) => (
            <ItemRow key={item.id} item={item} onDownload={() => run('Download', () => engine.request({ type: 'rssDownload', feedId: feed.id, itemId: item.id }))} />
          ))}
        </tbody>
      </table>
      {feed.items.length === 0 ? <p className="muted feeds-empty">No items{feed.status === 'idle' || feed.status === 'refreshing' ? ' yet' : ''}.</p> : null}
    </>
  );
}

function ItemRow(props: { item: RssItem; onDownload(): void }): ReactNode {
  const { item } = props;
  const done = item.downloaded;
  return (
    <tr className={`item${item.read ? '' : ' unread'}`}>
      <td className="item-title" title={item.title}>{item.title}</td>
      <td>{formatDate(item.published)}</td>
      <td className="num">{item.size === null ? '' : formatBytes(item.size)}</td>
      <td>{done ? (done.ruleName ?? 'you') : ''}</td>
      <td>
        {done ? <span className="item-done" aria-label="downloaded">✓</span> : null}
        {item.addError ? <span className="error-text" title={item.addError}> {item.addError}</span> : null}
      </td>
      <td>
        <button type="button" className="item-download" onClick={props.onDownload} disabled={!item.magnet && !item.torrentUrl} aria-label={`Download ${item.title}`}>
          Download
        </button>
      </td>
    </tr>
  );
}
