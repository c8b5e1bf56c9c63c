// The emulator's file browser as server-rendered HTML (no scripts): one folder's items with their
// actions as plain forms, and what was deleted there. Every name passes through escapeHtml.
import { escapeHtml } from '../common/escapeHtml.js';

export interface BrowserItem {
  name: string;
  /** path_display, the value the forms send back. */
  path: string;
  kind: 'file' | 'folder';
  size?: number;
  modified?: string;
}

export interface FolderPage {
  /** path_display of the folder ('' is the root). */
  path: string;
  items: BrowserItem[];
  /** path_display of items deleted directly inside this folder. */
  deleted: string[];
}

const STYLE = `body{font:15px/1.4 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1e1919}
h1{font-size:1.3rem}nav a{color:#0061fe}table{border-collapse:collapse;width:100%}td,th{padding:.35rem .5rem;border-bottom:1px solid #ddd;text-align:left}
form{margin:.5rem 0}form.inline{display:inline}input[type=text]{width:11rem}.deleted{color:#777}.note{color:#555;font-size:.9rem}`;

export function htmlDocument(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

function q(path: string): string {
  return encodeURIComponent(path);
}

function breadcrumbs(path: string): string {
  const parts = path.split('/').slice(1);
  const links = [`<a href="/?path=">Dropbox</a>`];
  parts.forEach((name, i) => {
    const to = `/${parts.slice(0, i + 1).join('/')}`;
    links.push(`<a href="/?path=${q(to)}">${escapeHtml(name)}</a>`);
  });
  return `<nav>${links.join(' / ')}</nav>`;
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;
}

function itemRow(item: BrowserItem): string {
  const name = item.kind === 'folder'
    ? `<a href="/?path=${q(item.path)}">${escapeHtml(item.name)}/</a>`
    : `<a href="/browse/download?path=${q(item.path)}">${escapeHtml(item.name)}</a>`;
  const rename = `<form class="inline" method="post" action="/browse/rename">${hidden('path', item.path)}` +
    `<input type="text" name="name" value="${escapeHtml(item.name)}" aria-label="New name of ${escapeHtml(item.name)}"> <button>Rename</button></form>`;
  const remove = `<form class="inline" method="post" action="/browse/delete">${hidden('path', item.path)}<button>Delete</button></form>`;
  return `<tr><td>${name}</td><td>${item.size === undefined ? '' : `${item.size} bytes`}</td><td>${escapeHtml(item.modified ?? '')}</td><td>${rename} ${remove}</td></tr>`;
}

export function folderPage(page: FolderPage): string {
  const rows = page.items.map(itemRow).join('');
  const empty = page.items.length === 0 ? '<tr><td colspan="4">This folder is empty.</td></tr>' : '';
  const deleted = page.deleted.length === 0 ? '' :
    `<h2>Deleted here</h2><ul class="deleted">${page.deleted.map((p) => `<li>${escapeHtml(p.slice(p.lastIndexOf('/') + 1))}</li>`).join('')}</ul>` +
    '<p class="note">The emulator keeps no way to restore deleted items; upload the file again to bring it back.</p>';
  return htmlDocument(`${page.path || 'Dropbox'} (emulator)`, `<h1>Dropbox emulator</h1>${breadcrumbs(page.path)}` +
    `<table><thead><tr><th>Name</th><th>Size</th><th>Modified</th><th></th></tr></thead><tbody>${rows}${empty}</tbody></table>` +
    `<h2>Add</h2><form method="post" action="/browse/upload" enctype="multipart/form-data">${hidden('folder', page.path)}` +
    `<input type="file" name="file" required> <button>Upload</button></form>` +
    `<form method="post" action="/browse/mkdir">${hidden('folder', page.path)}<input type="text" name="name" aria-label="New folder name" required> <button>New folder</button></form>` +
    deleted);
}

export function messagePage(title: string, message: string, backTo?: string): string {
  const back = backTo === undefined ? '' : `<p><a href="/?path=${q(backTo)}">Back to the folder</a></p>`;
  return htmlDocument(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>${back}`);
}
