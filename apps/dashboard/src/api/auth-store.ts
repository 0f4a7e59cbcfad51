// The API key the dashboard sends, kept in localStorage, and whether the manager has asked for one.
// A tiny external store: React reads it with useSyncExternalStore, the API client without React.

const STORAGE_KEY = 'jobnik.apiKey';

export interface AuthState {
  /** The key sent as x-api-key, or null to send none (a manager with auth off needs none). */
  apiKey: string | null;
  /** A call was answered 401: the key is missing, unknown or revoked. */
  needsKey: boolean;
  /** Bumped on sign-in and sign-out, so data loaded under the old identity is loaded again. */
  generation: number;
}

function readStoredKey(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) || null;
  } catch {
    return null; // storage disabled: the key lives for this page only
  }
}

function writeStoredKey(key: string | null): void {
  try {
    if (key) globalThis.localStorage?.setItem(STORAGE_KEY, key);
    else globalThis.localStorage?.removeItem(STORAGE_KEY);
  } catch {
    // storage disabled or full: nothing to do
  }
}

let state: AuthState = { apiKey: readStoredKey(), needsKey: false, generation: 0 };
const listeners = new Set<() => void>();

function set(next: AuthState): void {
  state = next;
  for (const l of listeners) l();
}

export const authStore = {
  get(): AuthState {
    return state;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  signIn(apiKey: string): void {
    const key = apiKey.trim();
    writeStoredKey(key);
    set({ apiKey: key || null, needsKey: false, generation: state.generation + 1 });
  },
  signOut(): void {
    writeStoredKey(null);
    set({ apiKey: null, needsKey: false, generation: state.generation + 1 });
  },
  /** The manager answered 401 to a call made with `sentKey`; a later sign-in is not undone by it. */
  reportUnauthorized(sentKey: string | null): void {
    if (sentKey !== state.apiKey || state.needsKey) return;
    set({ ...state, needsKey: true });
  },
};
