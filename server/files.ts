/**
 * Where document files and their bytes live. R2 on Workers, a folder on Node: each entry
 * builds one and hands it to the app.
 */
export interface StoredFile {
  body: ReadableStream<Uint8Array> | Uint8Array;
  size: number;
}

export interface FileStore {
  put(key: string, data: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<StoredFile | null>;
}
