/**
 * A weekly window (days, from, to) in the Settings dialog: the alternative limits' schedule and the
 * download pause schedule use the same editor. `names` are the form fields, so errors find their field.
 */
import type { ReactNode } from 'react';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export interface ScheduleEditorProps<N extends string> {
  /** Names the group of days for screen readers ("Days of the alternative limits"). */
  label: string;
  names: { days: N; from: N; to: N };
  days: readonly number[];
  from: string;
  to: string;
  onDays(days: number[]): void;
  onFrom(value: string): void;
  onTo(value: string): void;
  /** The error shown under a field, if any. */
  errorOf(name: N): ReactNode;
}

export function ScheduleEditor<N extends string>(props: ScheduleEditorProps<N>): ReactNode {
  const { days } = props;
  return (
    <div className="schedule">
      <div role="group" aria-label={props.label} className="days">
        {DAYS.map((d, i) => (
          <label key={d} className="day" title={DAY_NAMES[i]}>
            <input
              type="checkbox"
              name={i === 0 ? props.names.days : undefined}
              aria-label={DAY_NAMES[i]}
              checked={days.includes(i)}
              onChange={(e) => props.onDays(e.target.checked ? [...days, i] : days.filter((x) => x !== i))}
            />
            <span aria-hidden="true">{d}</span>
          </label>
        ))}
      </div>
      {props.errorOf(props.names.days)}
      <div className="row-fields">
        <label className="field">
          <span>From</span>
          <input type="time" name={props.names.from} value={props.from} onChange={(e) => props.onFrom(e.target.value)} />
          {props.errorOf(props.names.from)}
        </label>
        <label className="field">
          <span>To</span>
          <input type="time" name={props.names.to} value={props.to} onChange={(e) => props.onTo(e.target.value)} />
          {props.errorOf(props.names.to)}
        </label>
      </div>
    </div>
  );
}
