// API keys: creation (secret shown once), verification with a short in-memory cache (revocation
// reaches other replicas within cacheMs), and the bootstrap admin key from the environment.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { DEFAULT_TENANT, type ApiKey, type CreateApiKeyRequest, type CreatedApiKey } from '@jobnik/contracts';
import type { Db } from '../db/db.js';
import type { Caller } from '../domain/caller.js';
import { NotFoundError } from '../domain/errors.js';
import { findActiveKeyByHash, insertApiKey, listApiKeys, revokeApiKey } from '../store/api-keys.js';

export type AuthMode = 'none' | 'apiKey';

export interface AuthOptions {
  mode: AuthMode;
  /** Accepted as an admin key of the default tenant; empty = none. */
  adminKey: string;
  /** How long a verified key is trusted without asking the database. */
  cacheMs: number;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function callerOfKey(k: ApiKey): Caller {
  return { tenantId: k.tenantId, scope: k.role === 'admin' ? null : k.tenantId, role: k.role, keyId: k.id, keyName: k.name, stageTypes: k.stageTypes };
}

export class AuthService {
  private readonly cache = new Map<string, { caller: Caller; until: number }>();
  private readonly adminHash: Buffer | null;

  constructor(
    private readonly db: Db,
    readonly options: AuthOptions,
  ) {
    this.adminHash = options.adminKey ? Buffer.from(hashKey(options.adminKey), 'hex') : null;
  }

  async create(req: CreateApiKeyRequest): Promise<CreatedApiKey> {
    const prefix = randomBytes(4).toString('hex');
    const key = `jbk_${prefix}_${randomBytes(32).toString('base64url')}`;
    const stored = await insertApiKey(this.db, {
      tenantId: req.tenantId,
      role: req.role,
      name: req.name,
      prefix: `jbk_${prefix}`,
      hash: hashKey(key),
      stageTypes: req.stageTypes ?? [],
    });
    return { ...stored, key };
  }

  list(): Promise<ApiKey[]> {
    return listApiKeys(this.db);
  }

  /** Revokes the key at once on this replica (others within cacheMs); 404 when there is no active key with that id. */
  async revoke(id: string): Promise<void> {
    const done = await revokeApiKey(this.db, id);
    for (const [hash, entry] of this.cache) if (entry.caller.keyId === id) this.cache.delete(hash);
    if (!done) throw new NotFoundError('API key', id);
  }

  /** The caller a presented key stands for, or null when it is unknown or revoked. */
  async authenticate(key: string): Promise<Caller | null> {
    const hash = hashKey(key);
    if (this.adminHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.adminHash)) {
      return { tenantId: DEFAULT_TENANT, scope: null, role: 'admin', keyId: 'bootstrap-admin', keyName: 'bootstrap-admin', stageTypes: [] };
    }
    const cached = this.cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.caller;
    const found = await findActiveKeyByHash(this.db, hash);
    if (!found) {
      this.cache.delete(hash);
      return null;
    }
    const caller = callerOfKey(found);
    this.cache.set(hash, { caller, until: Date.now() + this.options.cacheMs });
    return caller;
  }
}
