// The options every add shares, in the single and the batch Add dialog: start paused, and where in the queue.
export interface AddOptionsProps {
  startPaused: boolean;
  onStartPaused: (paused: boolean) => void;
  queueTop: boolean;
  onQueueTop: (top: boolean) => void;
}

export function AddOptions({ startPaused, onStartPaused, queueTop, onQueueTop }: AddOptionsProps) {
  return (
    <div className="add-options">
      <label className="check">
        <input type="checkbox" checked={startPaused} onChange={(e) => onStartPaused(e.target.checked)} />
        Start paused
      </label>
      <label className="field inline">
        <span>Queue position</span>
        <select value={queueTop ? 'top' : 'bottom'} onChange={(e) => onQueueTop(e.target.value === 'top')}>
          <option value="bottom">Bottom of the queue</option>
          <option value="top">Top of the queue</option>
        </select>
      </label>
    </div>
  );
}
