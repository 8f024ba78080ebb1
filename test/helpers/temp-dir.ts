import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";

/** Creates an empty folder under the system temp dir; remove it with {@link removeTempDir}. */
export function createTempDir(): string {
  return mkdtempSync(path.join(tmpdir(), "masque-test-"));
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** An empty folder for the running test, removed when the test finishes. Call inside a test. */
export function tempDirForTest(): string {
  const dir = createTempDir();
  onTestFinished(() => removeTempDir(dir));
  return dir;
}
