/**
 * The buttons row of an edit dialog (Dialog's `actions`): Cancel, any other choices, then the submit
 * button that does what the dialog is for. While the request runs (`busy`), the choices that send one
 * are off; Cancel always works.
 */
import type { ReactNode } from 'react';

export function DialogButtons(props: {
  onCancel(): void;
  /** The submit button's words ("Save", "Recheck"). */
  submit: string;
  busy?: boolean;
  /** Focus starts on the submit button (a confirmation), not on the first field. */
  focusSubmit?: boolean;
  /** Other choices, between Cancel and the submit button. */
  children?: ReactNode;
}): ReactNode {
  return (
    <>
      <button type="button" onClick={props.onCancel}>Cancel</button>
      {props.children}
      <button type="submit" className="primary" disabled={props.busy} data-autofocus={props.focusSubmit ? true : undefined}>
        {props.submit}
      </button>
    </>
  );
}
