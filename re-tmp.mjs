import { RE2JS } from 're2js';
const pats = ['(^|[_./-])key$','api[_.-]?key','access[_.-]?key','account[_.-]?key','private[_.-]?key','secret[_.-]?key','passw(or)?d','(^|[_./-])pass$','(^|[_./-])pwd($|[_./-])','(^|[_./-])token($|[_./-])','token$','(^|[_./-])secret($|[_./-])','secret$','client[_.-]?secret','connection[_.-]?string','conn[_.-]?str','(^|[_./-])credentials?($|[_./-])','(^|[_./-])sas($|[_./-])'];
const names = Array.from({length: 40}, (_, i) => `SOME_CONFIG_NAME_${i}_LEVEL`);
const mode = process.argv[2];
let t = performance.now();
if (mode === 'sep') {
  const res = pats.map(p => RE2JS.compile(p, RE2JS.CASE_INSENSITIVE));
  console.log('compile', (performance.now()-t).toFixed(1)); t = performance.now();
  let n=0; for (const name of names) if (res.some(r => r.matcher(name).find())) n++;
  console.log('match', (performance.now()-t).toFixed(1), n);
} else if (mode === 'one') {
  const re = RE2JS.compile(pats.map(p=>`(?:${p})`).join('|'), RE2JS.CASE_INSENSITIVE);
  console.log('compile', (performance.now()-t).toFixed(1)); t = performance.now();
  let n=0; for (const name of names) if (re.matcher(name).find()) n++;
  console.log('match', (performance.now()-t).toFixed(1), n);
} else {
  const res = pats.map(p => new RegExp(p, 'i'));
  console.log('compile', (performance.now()-t).toFixed(1)); t = performance.now();
  let n=0; for (const name of names) if (res.some(r => r.test(name))) n++;
  console.log('match', (performance.now()-t).toFixed(1), n);
}
