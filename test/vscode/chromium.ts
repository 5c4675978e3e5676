// Debian's chromium driven by playwright-core, as scripts/setup-vscode-e2e.sh installs them into
// .tools/vscode-e2e (not dependencies of provspec): for the tests of what a person sees, the
// extension in code-server and the HTML report.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TOOLS = path.join(ROOT, '.tools', 'vscode-e2e');
export const PLAYWRIGHT = path.join(TOOLS, 'node_modules', 'playwright-core', 'index.mjs');
export const CHROMIUM = '/usr/bin/chromium';

// The slice of playwright-core's API these tests use (its types live in .tools, outside the project).
export interface Locator {
  first(): Locator;
  nth(index: number): Locator;
  count(): Promise<number>;
  click(options?: { timeout?: number; position?: { x: number; y: number } }): Promise<void>;
  hover(options?: { timeout?: number }): Promise<void>;
  fill(value: string): Promise<void>;
  press(key: string): Promise<void>;
  innerText(options?: { timeout?: number }): Promise<string>;
  isVisible(): Promise<boolean>;
  allInnerTexts(): Promise<string[]>;
  getAttribute(name: string): Promise<string | null>;
  waitFor(options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  locator(selector: string): Locator;
  filter(options: { hasText?: string | RegExp }): Locator;
}
export interface Page {
  goto(url: string, options?: { timeout?: number }): Promise<unknown>;
  locator(selector: string): Locator;
  keyboard: { press(key: string): Promise<void>; type(text: string, options?: { delay?: number }): Promise<void> };
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  on(event: 'console' | 'pageerror', listener: (message: { text?(): string; message?: string }) => void): void;
  on(event: 'request', listener: (request: { url(): string }) => void): void;
  evaluate<T>(expression: string): Promise<T>;
  setDefaultTimeout(ms: number): void;
  waitForTimeout(ms: number): Promise<void>;
}
export interface Browser {
  newPage(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
interface Playwright {
  chromium: { launch(options: { executablePath: string; args: string[]; headless?: boolean; timeout?: number }): Promise<Browser> };
}

/** Why playwright-core or chromium is not there, or undefined when both are. */
export function chromiumMissing(): string | undefined {
  const missing = [PLAYWRIGHT, CHROMIUM].filter((file) => !existsSync(file));
  return missing.length ? `not installed: ${missing.join(', ')}; run scripts/setup-vscode-e2e.sh` : undefined;
}

/** A headless chromium that calls home for nothing. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = (await import(pathToFileURL(PLAYWRIGHT).href)) as Playwright;
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
