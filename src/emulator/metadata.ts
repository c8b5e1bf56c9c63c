// Renders namespace entries as Dropbox Metadata JSON, field order as Dropbox sends it. Where the
// declared type is Metadata the `.tag` is included; FileMetadata/FolderMetadata results omit it.

export interface FileEntry {
  kind: 'file';
  id: string;
  name: string;
  /** Position of the last change to this item in the change log. */
  seq: number;
  rev: string;
  size: number;
  contentHash: string;
  clientModified: string;
  serverModified: string;
}

export interface FolderEntry {
  kind: 'folder';
  id: string;
  name: string;
  seq: number;
}

export type Entry = FileEntry | FolderEntry;

export type FileMetadata = ReturnType<typeof fileMetadata>;

export function fileMetadata(file: Omit<FileEntry, 'kind' | 'seq'>, pathLower: string, pathDisplay: string) {
  return {
    name: file.name,
    path_lower: pathLower,
    path_display: pathDisplay,
    id: file.id,
    client_modified: file.clientModified,
    server_modified: file.serverModified,
    rev: file.rev,
    size: file.size,
    is_downloadable: true,
    content_hash: file.contentHash,
  };
}

export function folderMetadata(folder: FolderEntry, pathLower: string, pathDisplay: string) {
  return { name: folder.name, path_lower: pathLower, path_display: pathDisplay, id: folder.id };
}

/** Metadata with its `.tag`, for results declared as the Metadata union. */
export function taggedMetadata(entry: Entry, pathLower: string, pathDisplay: string): Record<string, unknown> {
  return entry.kind === 'file'
    ? { '.tag': 'file', ...fileMetadata(entry, pathLower, pathDisplay) }
    : { '.tag': 'folder', ...folderMetadata(entry, pathLower, pathDisplay) };
}

export function deletedMetadata(pathLower: string, pathDisplay: string): Record<string, unknown> {
  return { '.tag': 'deleted', name: pathDisplay.slice(pathDisplay.lastIndexOf('/') + 1), path_lower: pathLower, path_display: pathDisplay };
}

/** Dropbox timestamps: `%Y-%m-%dT%H:%M:%SZ`, UTC, whole seconds. */
export function dropboxTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
