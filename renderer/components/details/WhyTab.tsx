/**
 * The Why? tab (the doctor, issue 17): the engine's reasons this torrent is not at full speed, most important
 * first, each with its action as a button that runs the real command or opens the dialog where it is done.
 * Asked again every 2 s while shown (one small request).
 */
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { DiagnosisReason, TorrentId } from '../../../engine/api/types.js';
import { useEngine, useTessera } from '../../store/context.js';
import { errorText } from '../commands.js';
import { tiersOf } from './tracker-view.js';
import { SEVERITY_LABELS, whyStep } from './why-view.js';

const REFRESH_MS = 2_000;

export function WhyTab(props: { id: TorrentId }): ReactNode {
  const engine = useEngine();
  const trackers = useTessera((s) => s.trackers);
  const openDialog = useTessera((s) => s.openDialog);
  const toast = useTessera((s) => s.toast);
  const [reasons, setReasons] = useState<DiagnosisReason[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const ask = useCallback(() => {
    engine.request({ type: 'diagnose', id: props.id }).then(
      (r) => {
        setReasons(r.reasons);
        setError(null);
      },
      (e: unknown) => setError(errorText(e)),
    );
  }, [engine, props.id]);

  useEffect(() => {
    ask();
    const timer = window.setInterval(ask, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [ask]);

  const act = (reason: DiagnosisReason): void => {
    if (!reason.action) return;
    const step = whyStep(reason.action, props.id, tiersOf(trackers ?? []));
    if (step.kind === 'dialog') return openDialog(step.dialog);
    engine.request(step.command).then(
      () => {
        toast('success', step.done);
        ask();
      },
      (e: unknown) => toast('error', `${reason.action?.label} failed: ${errorText(e)}`),
    );
  };

  if (error) return <p className="dt-empty error-text" role="alert">Could not ask the engine why: {error}</p>;
  if (reasons === null) return <p className="dt-empty">Asking the engine…</p>;
  if (reasons.length === 0) return <p className="dt-empty">Nothing holds this torrent back: it runs as fast as its peers send.</p>;
  return (
    <div className="dt-why" tabIndex={0} role="region" aria-label="Why it is not at full speed">
      <ol className="dt-why-list">
        {reasons.map((r, i) => (
          <li key={`${r.code}-${i}`} className={`dt-why-item dt-why-${r.severity}`} data-code={r.code}>
            <h3 id={`dt-why-${i}`}>
              <span className="dt-why-severity">{SEVERITY_LABELS[r.severity]}</span>
              <span className="dt-why-short">{r.short}</span>
            </h3>
            <p>{r.message}</p>
            {r.action ? (
              <button type="button" aria-describedby={`dt-why-${i}`} onClick={() => act(r)}>
                {r.action.label}
              </button>
            ) : null}
          </li>
        ))}
      </ol>
    </div>
  );
}
