// Asks for an API key when the manager answers 401; the key is kept in localStorage and sent as x-api-key.
import { useId, useState, type FormEvent } from 'react';
import { authStore } from '../api/auth-store.js';

export function ApiKeyForm({ rejectedKey }: { rejectedKey: boolean }) {
  const [key, setKey] = useState('');
  const inputId = useId();
  const hintId = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (key.trim()) authStore.signIn(key);
  };
  return (
    <section className="card auth" aria-labelledby={`${inputId}-title`}>
      <h1 id={`${inputId}-title`}>Sign in to Jobnik</h1>
      <p id={hintId} className="muted">
        {rejectedKey
          ? 'The manager did not accept the stored API key (unknown or revoked). Enter another one.'
          : 'This manager has authentication on. Enter an API key; it is kept in this browser and sent with every call.'}
      </p>
      <form onSubmit={submit} className="auth__form" data-testid="api-key-form">
        <label htmlFor={inputId}>API key</label>
        <input
          id={inputId}
          name="apiKey"
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby={hintId}
        />
        <button type="submit" className="button button--primary">
          Sign in
        </button>
      </form>
    </section>
  );
}
