import { useState } from 'react';

/** Clears a contact the agent is done with (after-contact work, a missed offer); shows a failure. */
export function ClearButton({
  onClear,
  label,
  className,
}: {
  onClear: () => Promise<void>;
  label: string;
  className: string;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const clear = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onClear();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
      setBusy(false);
    }
  };

  return (
    <>
      <button
        className={className}
        type="button"
        data-testid="clear-contact"
        disabled={busy}
        onClick={() => void clear()}
      >
        {busy ? 'Clearing…' : label}
      </button>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
