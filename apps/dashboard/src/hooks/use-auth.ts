// React's view of the API-key store.
import { useSyncExternalStore } from 'react';
import { authStore, type AuthState } from '../api/auth-store.js';

export function useAuth(): AuthState {
  return useSyncExternalStore(authStore.subscribe, authStore.get);
}
