// A JSON value, collapsed to a one-line preview until opened.
const PREVIEW_CHARS = 40;

export function JsonDetails({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <span className="muted">—</span>;
  const compact = JSON.stringify(value);
  const preview = compact.length > PREVIEW_CHARS ? `${compact.slice(0, PREVIEW_CHARS)}…` : compact;
  return (
    <details className="json">
      <summary aria-label={`${label}: ${preview}`}>
        <code>{preview}</code>
      </summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
