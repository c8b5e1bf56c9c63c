// Paths for display and for building Dropbox paths: a name with its folder, breadcrumbs, and
// joining a new folder name under a chosen Dropbox folder. Works for '/' and '\' (Windows
// servers) local paths. Pure: no DOM, tested in Node.

export interface SplitPath {
  /** The last part: "report.pdf". */
  name: string;
  /** What holds it: "/Work/2025", or '' when it sits at the top. */
  folder: string;
}

/** '/Work/2025/report.pdf' → { name: 'report.pdf', folder: '/Work/2025' }. */
export function splitPath(path: string): SplitPath {
  const trimmed = path.length > 1 ? path.replace(/[\\/]+$/, '') : path;
  if (trimmed === '/' || trimmed === '') return { name: path, folder: '' };
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
  if (cut < 0) return { name: trimmed, folder: '' };
  const folder = trimmed.slice(0, cut);
  return { name: trimmed.slice(cut + 1) || trimmed, folder: folder === '' ? trimmed.slice(0, 1) : folder };
}

/** The name people call a folder pair by: its local folder's name. */
export function pairName(localPath: string): string {
  return splitPath(localPath).name || localPath;
}

/** A Dropbox path as people read it: '' is the whole Dropbox. */
export function displayRemotePath(remotePath: string): string {
  return remotePath === '' ? 'Dropbox (everything)' : `Dropbox${remotePath}`;
}

export interface Crumb {
  name: string;
  path: string;
}

/** '/Work/2025' → Dropbox › Work › 2025, each with the path to go back to. */
export function remoteCrumbs(remotePath: string): Crumb[] {
  const crumbs: Crumb[] = [{ name: 'Dropbox', path: '' }];
  let path = '';
  for (const part of remotePath.split('/').filter(Boolean)) {
    path = `${path}/${part}`;
    crumbs.push({ name: part, path });
  }
  return crumbs;
}

/** '/home/ann/Work' → / › home › ann › Work; 'C:\Users\Ann' → C:\ › Users › Ann. */
export function localCrumbs(localPath: string): Crumb[] {
  const windows = /^[A-Za-z]:[\\/]/.test(localPath);
  const sep = windows ? '\\' : '/';
  const parts = localPath.split(/[\\/]+/).filter(Boolean);
  if (windows) {
    const drive = `${parts.shift() ?? ''}\\`;
    const crumbs: Crumb[] = [{ name: drive, path: drive }];
    let path = drive;
    for (const part of parts) {
      path = path.endsWith(sep) ? `${path}${part}` : `${path}${sep}${part}`;
      crumbs.push({ name: part, path });
    }
    return crumbs;
  }
  const crumbs: Crumb[] = [{ name: '/', path: '/' }];
  let path = '';
  for (const part of parts) {
    path = `${path}/${part}`;
    crumbs.push({ name: part, path });
  }
  return crumbs;
}

/** Why a new folder name cannot be used, or undefined when it can. */
export function folderNameProblem(name: string): string | undefined {
  if (name.length === 0) return undefined;
  if (name.trim() !== name) return 'A folder name cannot start or end with a space.';
  if (name === '.' || name === '..') return 'Choose a real folder name, not "." or "..".';
  if (/[/\\]/.test(name)) return 'A folder name cannot contain / or \\. Choose the parent folder above instead.';
  if ([...name].some((ch) => ch.charCodeAt(0) < 0x20)) return 'A folder name cannot contain control characters.';
  if (name.length > 255) return 'A folder name can be at most 255 characters.';
  return undefined;
}

/** The Dropbox path of a pair: the chosen folder, or a new folder inside it. */
export function joinRemote(parent: string, newFolderName: string): string {
  const name = newFolderName.trim();
  return name === '' ? parent : `${parent}/${name}`;
}
