/**
 * Imported first by every entry point, so that an unsupported Node.js is refused in one line
 * before anything else runs (older ones fail later, and obscurely, e.g. on `util.parseEnv`).
 */

/** The oldest Node.js the API runs on; `engines.node` in package.json says the same. */
export const MINIMUM_NODE = '20.19.0';

/** Why Node.js `version` cannot run the API, or null when it can. */
export function unsupportedNode(version: string): string | null {
  const [major, minor] = version.split('.').map(Number);
  const [minimumMajor, minimumMinor] = MINIMUM_NODE.split('.').map(Number);
  if (major > minimumMajor || (major === minimumMajor && minor >= minimumMinor)) return null;
  return `Node.js ${version} is not supported: use Node.js ${MINIMUM_NODE} or newer (the current LTS is recommended)`;
}

const problem = unsupportedNode(process.versions.node);
if (problem) {
  console.error(problem);
  process.exit(1);
}
