import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/** argon2id with OWASP's recommended minimum cost (19 MiB, 2 passes). */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** A hash with the same cost, verified for unknown users so that they take as long as a wrong password. */
const DECOY_HASH = '$argon2id$v=19$m=19456,p=1,t=2$0RcK9vNI5xv9kTOAOf/mkA$m4U+oiescnlI7rXguS2VvGk28GPbCPeOP/UnXuVaIfA';

@Injectable()
export class PasswordHasher {
  hash(password: string): Promise<string> {
    return argon2.hash(password, OPTIONS);
  }

  /** Checks a password; with no hash (unknown user) it spends the same time and answers false. */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    const matches = await argon2.verify(hash ?? DECOY_HASH, password);
    return hash !== undefined && matches;
  }
}
