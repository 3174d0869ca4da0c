import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway keystore's password: test clusters only. */
export const KEYSTORE_PASSWORD = 'cqlengine-test';

export interface TestKeystore {
  /** The PKCS12 keystore the nodes serve TLS from. */
  readonly keystore: string;
  readonly password: string;
  /** The node certificate in PEM, for a client's `sslOptions.ca`. */
  readonly certificate: string;
}

/**
 * A self-signed key pair for client-to-node TLS, made once per cluster home with the JDK's keytool; its
 * certificate names every node address, so that a client verifying against it (sslOptions.ca) accepts it.
 */
export async function ensureKeystore(home: string, addresses: readonly string[], java: string): Promise<TestKeystore> {
  const keystore = join(home, 'keystore.p12');
  const pem = join(home, 'node-cert.pem');
  // keytool sits beside the java that runs the nodes.
  const keytool = java.endsWith('/java') ? `${java.slice(0, -'java'.length)}keytool` : 'keytool';
  if (!existsSync(keystore) || !existsSync(pem)) {
    mkdirSync(home, { recursive: true });
    const common = ['-keystore', keystore, '-storepass', KEYSTORE_PASSWORD, '-storetype', 'PKCS12', '-alias', 'node'];
    await run(keytool, [
      '-genkeypair',
      ...common,
      '-keyalg',
      'RSA',
      '-keysize',
      '2048',
      '-validity',
      '3650',
      '-dname',
      'CN=cqlengine test node',
      '-ext',
      `SAN=${addresses.map((a) => `ip:${a}`).join(',')}`,
    ]);
    await run(keytool, ['-exportcert', '-rfc', ...common, '-file', pem]);
  }
  return { keystore, password: KEYSTORE_PASSWORD, certificate: readFileSync(pem, 'utf8') };
}
