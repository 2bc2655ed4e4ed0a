/**
 * The API key the user signed in with, kept for this browser tab's session only
 * (sessionStorage: gone when the tab closes, never in a URL, never in a cookie).
 */
const STORAGE_KEY = 'scheduled-messages.console.api-key';

export function storedApiKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function storeApiKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetApiKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
