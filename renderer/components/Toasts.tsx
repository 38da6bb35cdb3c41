/** Toasts: short notes (completed downloads, copied links) and errors where no inline place exists. */
import { useEffect, type ReactNode } from 'react';
import type { Toast } from '../store/ui-slice.js';
import { useTessera } from '../store/context.js';
import { CloseIcon } from './icons.js';

const LIFETIME_MS: Readonly<Record<Toast['tone'], number>> = { info: 5000, success: 5000, error: 12_000 };

function ToastItem({ toast }: { toast: Toast }): ReactNode {
  const dismiss = useTessera((s) => s.dismissToast);
  useEffect(() => {
    const t = setTimeout(() => dismiss(toast.id), LIFETIME_MS[toast.tone]);
    return () => clearTimeout(t);
  }, [toast, dismiss]);
  return (
    <li className={`toast ${toast.tone}`} role={toast.tone === 'error' ? 'alert' : undefined}>
      <span className="toast-text">{toast.text}</span>
      <button type="button" className="close" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
        <CloseIcon />
      </button>
    </li>
  );
}

export function Toasts(): ReactNode {
  const toasts = useTessera((s) => s.toasts);
  return (
    <ul className="toasts" aria-live="polite" aria-label="Notifications">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </ul>
  );
}
