// The HTML manifest test drives Debian's Chromium (no browser download). Make sure it is there
// before Jest starts: install it with apt-get when running as root, else say how to.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) {
    console.error(`${CHROMIUM} is missing: install Debian's chromium (sudo apt-get install -y chromium).`);
    process.exit(1);
  }
  console.log(`${CHROMIUM} is missing: installing Debian's chromium package for the HTML manifest test.`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}
