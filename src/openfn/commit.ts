// Which commit a build came from, for the header an admin reads in Lightning's editor.
import { execFileSync } from 'node:child_process';

function git(root: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}

/**
 * `git rev-parse HEAD`, marked when the job sources differ from it; 'uncommitted' in a repository
 * without commits; 'unknown' without git.
 */
export function sourceCommit(root: string): string {
  const head = git(root, ['rev-parse', '--verify', '--quiet', 'HEAD']);
  if (head === undefined || head === '') {
    return git(root, ['rev-parse', '--is-inside-work-tree']) === 'true' ? 'uncommitted' : 'unknown';
  }
  const changes = git(root, ['status', '--porcelain', '--', 'jobs', 'src']);
  return changes ? `${head} + uncommitted changes` : head;
}
