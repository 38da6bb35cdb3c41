/**
 * The built-in player: one file of a torrent played from the engine's stream URL (streamUrl) in an HTML
 * <video>/<audio> element while it downloads. The downloaded parts come from the piece map the details
 * subscription streams (the store adds files and pieces to it while the player is open: store/sync.ts).
 * A format the element cannot play (known by extension, by a sniff of the first bytes, or by the
 * element's error or a video without a picture) shows "Open in VLC/mpv" and "Copy stream URL" instead;
 * .srt/.vtt files beside the video become subtitle tracks.
 */
import '../../styles/player.css';
import { useEffect, useMemo, useState, type ReactNode, type SyntheticEvent } from 'react';
import type { FileInfo, StreamUrlResult, TorrentId } from '../../../engine/api/types.js';
import { useEngine, useTessera } from '../../store/context.js';
import { Dialog } from '../Dialog.js';
import { errorText } from '../commands.js';
import { baseName, extensionOf, mainMediaFile, mediaTypeOf, problemOfMediaError, sniffUnsupportedCodecs, subtitleLabel, subtitlesFor } from '../../lib/media.js';
import { bufferedSpans, fileOffset, type Span } from '../../lib/stream-buffer.js';
import { toWebVtt } from '../../lib/srt.js';
import { BufferBar } from './BufferBar.js';
import { ExternalChoices } from './ExternalChoices.js';

/** Enough of the file's head to find an MP4's sample entries or a Matroska header's codec ids. */
const SNIFF_BYTES = 256 * 1024;

interface Problem {
  title: string;
  reason: string;
}

interface Track {
  src: string;
  label: string;
}

export function PlayerDialog(props: { id: TorrentId; file: number | null; onClose(): void }): ReactNode {
  const engine = useEngine();
  const files = useTessera((s) => (s.detailsId === props.id ? s.files : null));
  const pieces = useTessera((s) => (s.detailsId === props.id ? s.pieces : null));
  const target = useMemo(() => (files ? pickFile(files, props.file) : null), [files, props.file]);
  const targetPath = target?.path ?? null;
  const targetIndex = target?.index ?? null;
  const type = targetPath ? mediaTypeOf(targetPath) : null;

  const [stream, setStream] = useState<StreamUrlResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  /** Predicted from the name or the first bytes, or a video without a picture: the user may try the built-in player anyway. */
  const [predicted, setPredicted] = useState<Problem | null>(null);
  /** The media element's own error: always shown. */
  const [failed, setFailed] = useState<Problem | null>(null);
  const [builtInAnyway, setBuiltInAnyway] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const [position, setPosition] = useState<number | null>(null);
  const [tracks, setTracks] = useState<Track[]>([]);
  const [trackNote, setTrackNote] = useState<string | null>(null);

  // The stream URL of the file to play.
  useEffect(() => {
    if (targetIndex === null) return;
    let live = true;
    setStream(null);
    setFailure(null);
    engine.request({ type: 'streamUrl', id: props.id, file: targetIndex }).then(
      (r) => live && setStream(r),
      (e: unknown) => live && setFailure(`Could not start the stream: ${errorText(e)}`),
    );
    return () => {
      live = false;
    };
  }, [engine, props.id, targetIndex]);

  // A container Chromium never plays is known by its name; MP4/MKV that hold HEVC or AC-3 often say so in their first bytes.
  useEffect(() => {
    if (!stream || !targetPath || builtInAnyway) return;
    if (type?.playable === 'no') {
      setPredicted({ title: 'This format needs another player', reason: `The built-in player cannot play .${extensionOf(targetPath)} files.` });
      return;
    }
    const abort = new AbortController();
    fetch(stream.url, { headers: { Range: `bytes=0-${Math.min(SNIFF_BYTES, stream.length) - 1}` }, signal: abort.signal })
      .then((r) => (r.ok ? r.arrayBuffer() : null))
      .then((buf) => {
        const codecs = buf ? sniffUnsupportedCodecs(new Uint8Array(buf)) : [];
        if (codecs.length > 0) setPredicted({ title: 'This file needs another player', reason: `It holds ${codecs.join(' and ')}, which the built-in player cannot decode.` });
      })
      // The sniff is only a shortcut: when it cannot read, the media element's own error decides.
      .catch(() => undefined);
    return () => abort.abort();
  }, [stream, targetPath, type, builtInAnyway]);

  // Subtitles beside a video, read through their own stream URLs and handed to the element as WebVTT blobs.
  const subtitleKey = useMemo(() => (files && target && type?.kind === 'video' ? subtitlesFor(files, target).map((f) => `${f.index}:${f.path}`).join('|') : ''), [files, target, type]);
  useEffect(() => {
    if (!subtitleKey || !targetPath) return;
    const abort = new AbortController();
    const urls: string[] = [];
    const wanted = subtitleKey.split('|').map((s) => ({ index: Number(s.slice(0, s.indexOf(':'))), path: s.slice(s.indexOf(':') + 1) }));
    (async () => {
      const loaded: Track[] = [];
      const failed: string[] = [];
      for (const sub of wanted) {
        try {
          const { url } = await engine.request({ type: 'streamUrl', id: props.id, file: sub.index });
          const res = await fetch(url, { signal: abort.signal });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          const vtt = toWebVtt(await res.text(), extensionOf(sub.path) === 'srt');
          const src = URL.createObjectURL(new Blob([vtt], { type: 'text/vtt' }));
          urls.push(src);
          loaded.push({ src, label: subtitleLabel(sub.path, targetPath) });
        } catch (e) {
          if (abort.signal.aborted) return;
          failed.push(`${baseName(sub.path)} (${errorText(e)})`);
        }
      }
      if (abort.signal.aborted) return;
      setTracks(loaded);
      setTrackNote(failed.length > 0 ? `Could not load subtitles: ${failed.join(', ')}.` : null);
    })();
    return () => {
      abort.abort();
      for (const u of urls) URL.revokeObjectURL(u);
      setTracks([]);
    };
  }, [engine, props.id, subtitleKey, targetPath]);

  const spans: Span[] = useMemo(() => {
    if (!files || !pieces || !target) return [];
    const offset = fileOffset(files, target.index, pieces.pieceLength);
    return offset === null ? [] : bufferedSpans(pieces, offset, target.length);
  }, [files, pieces, target]);

  const onError = (e: SyntheticEvent<HTMLMediaElement>): void => {
    const err = e.currentTarget.error;
    const p = err ? problemOfMediaError(err.code, err.message) : null;
    if (!p) return;
    if (p.kind === 'unsupported') setFailed({ title: 'This file needs another player', reason: p.reason });
    else setStatus(p.reason);
  };
  const onLoadedMetadata = (e: SyntheticEvent<HTMLMediaElement>): void => {
    const el = e.currentTarget;
    // Chromium plays the sound of a video whose picture it cannot decode (HEVC): that is not playing it.
    if (type?.kind === 'video' && el instanceof HTMLVideoElement && el.videoWidth === 0 && !builtInAnyway) {
      el.pause();
      setPredicted({ title: 'This video needs another player', reason: 'The built-in player cannot decode its picture (for example HEVC/H.265); only the sound would play.' });
    }
  };
  const onTimeUpdate = (e: SyntheticEvent<HTMLMediaElement>): void => {
    const el = e.currentTarget;
    // Time as a share of the file: exact only at a constant bitrate, which is close enough for a mark.
    setPosition(Number.isFinite(el.duration) && el.duration > 0 ? Math.min(1, el.currentTime / el.duration) : null);
  };
  const onCanPlay = (e: SyntheticEvent<HTMLMediaElement>): void => {
    setStatus(null);
    const el = e.currentTarget;
    if (el.paused && el.currentTime === 0 && !el.dataset.started) {
      el.dataset.started = '1';
      el.play().catch(() => setStatus('Press play to start.'));
    }
  };

  const title = target ? baseName(target.path) : 'Player';
  const problem = failed ?? (builtInAnyway ? null : predicted);
  const showProblem = problem !== null;
  let body: ReactNode;
  if (failure) body = <p className="error-text" role="alert">{failure}</p>;
  else if (!files) body = <p className="muted" role="status">Loading the file list…</p>;
  else if (!target) body = <p className="error-text" role="alert">{props.file === null ? 'This torrent has no audio or video file to play.' : 'This file is not in the torrent.'}</p>;
  else if (!type) body = <p className="error-text" role="alert">{`${baseName(target.path)} is not an audio or video file.`}</p>;
  else if (!stream) body = <p className="muted" role="status">Starting the stream…</p>;
  else if (problem) body = <ExternalChoices url={stream.url} title={problem.title} reason={problem.reason} onTryAnyway={failed ? undefined : () => setBuiltInAnyway(true)} />;
  else {
    const common = {
      src: stream.url,
      controls: true,
      preload: 'auto' as const,
      onError,
      onLoadedMetadata,
      onTimeUpdate,
      onCanPlay,
      onWaiting: () => setStatus('Waiting for the next pieces…'),
      onPlaying: () => setStatus(null),
      'data-autofocus': true,
      tabIndex: 0,
      'aria-label': `Playing ${title}`,
    };
    body =
      type.kind === 'video' ? (
        <video className="player-video" {...common}>
          {tracks.map((t, i) => (
            <track key={t.src} kind="subtitles" label={t.label} src={t.src} default={i === 0} />
          ))}
        </video>
      ) : (
        <audio className="player-audio" {...common} />
      );
  }

  return (
    <Dialog
      title={title}
      className="player"
      onClose={props.onClose}
      onSubmit={props.onClose}
      actions={
        <>
          {stream && !showProblem ? <CopyUrl url={stream.url} /> : null}
          <button type="submit" className="primary">
            Close
          </button>
        </>
      }
    >
      {body}
      {target && type ? <BufferBar spans={spans} position={showProblem ? null : position} /> : null}
      {status ? (
        <p className="player-status" role="status">
          {status}
        </p>
      ) : null}
      {trackNote ? (
        <p className="player-status warning" role="status">
          {trackNote}
        </p>
      ) : null}
    </Dialog>
  );
}

function pickFile(files: readonly FileInfo[], file: number | null): FileInfo | null {
  if (file === null) return mainMediaFile(files);
  return files.find((f) => f.index === file) ?? null;
}

function CopyUrl(props: { url: string }): ReactNode {
  const [note, setNote] = useState<string | null>(null);
  const copy = (): void => {
    if (!navigator.clipboard) return setNote('No clipboard here');
    navigator.clipboard.writeText(props.url).then(
      () => setNote('Copied'),
      () => setNote('Could not copy'),
    );
  };
  return (
    <>
      {note ? <span role="status">{note}</span> : null}
      <button type="button" onClick={copy}>
        Copy stream URL
      </button>
    </>
  );
}
