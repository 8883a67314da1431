import { readFileSync } from 'node:fs';
import { MINIMUM_NODE, unsupportedNode } from './supported-node';

describe(unsupportedNode.name, () => {
  it.each(['20.19.0', '20.20.2', '22.0.0', '24.11.1'])('runs on Node.js %s', (version) => {
    expect(unsupportedNode(version)).toBeNull();
  });

  it.each(['18.20.4', '20.18.3', '19.9.0'])('refuses Node.js %s, naming the version wanted', (version) => {
    expect(unsupportedNode(version)).toBe(
      `Node.js ${version} is not supported: use Node.js 20.19.0 or newer (the current LTS is recommended)`,
    );
  });

  it("names the same oldest version as package.json's engines", () => {
    const { engines } = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    expect(engines.node).toBe(`>=${MINIMUM_NODE}`);
  });
});
