// Two builds of tls13-lab in one process (compare-builds, bulk-compare, tcp-compare): each script names the
// modules it needs, and every build's copies are imported from that build's dist folder.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The modules `paths` names (dist-relative .js paths), imported from the build in `dist`. */
export async function importBuild<Build extends Record<string, unknown>>(dist: string, paths: { [Name in keyof Build]: string }): Promise<Build> {
  const names = Object.keys(paths) as Array<keyof Build & string>;
  const modules = await Promise.all(names.map((name) => import(pathToFileURL(resolve(dist, paths[name])).href)));
  return Object.fromEntries(names.map((name, i) => [name, modules[i]])) as Build;
}
