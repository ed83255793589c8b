// tests/bench/exceljs_register.mjs: the peer for the project-register
// report (make bench): the same rows (tests/bench/register.sql, as
// tab-separated text) and the same cells as xlsx_floor.c, written with
// exceljs's streaming writer (ExcelJS.stream.xlsx.WorkbookWriter, each row
// committed as it is written), as a user scripting the register in node
// would.  The file is read line by line, so the rows are never all in
// memory.
//
//   node tests/bench/exceljs_register.mjs ROWS.tsv OUT.xlsx
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import ExcelJS from 'exceljs';

const [src, out] = process.argv.slice(2);
if (!src || !out) {
  console.error('usage: node exceljs_register.mjs ROWS.tsv OUT.xlsx');
  process.exit(2);
}
const headEn = ['Reference', 'Project title', 'Organisation (English name)',
  'Organisation (Chinese name)', 'Scheme', 'Approved amount (HK$)',
  'Government contribution (HK$)', 'Paid to date, net of refunds (HK$)',
  'Start date', 'End date', 'Status'];
const headZh = ['編號', '項目名稱', '機構名稱 (英文)', '機構名稱 (中文)', '資助計劃',
  '批出金額 (港元)', '政府資助額 (港元)', '已發放款項 (扣除退款) (港元)', '開始日期',
  '完結日期', '狀況'];
const kinds = 'tttttmmmddt';
const money = '#,##0.00';
const t0 = process.hrtime.bigint();

const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out,
  useStyles: true, useSharedStrings: false });
const ws = wb.addWorksheet('Project register', {
  views: [{ state: 'frozen', ySplit: 6 }] });
ws.columns = headEn.map((_, c) => ({ width: c === 1 ? 60 : 18 }));
ws.addRow(['Project register 項目登記冊']).getCell(1).font = { bold: true, size: 14 };
ws.addRow(['Innovation and Technology Fund 創新及科技基金']).commit();
ws.addRow(['All projects 所有項目']).commit();
ws.addRow([]).commit();
for (const h of [headEn, headZh]) {
  const r = ws.addRow(h);
  r.eachCell((cell) => {
    cell.font = { bold: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDCE6F1' } };
  });
  r.commit();
}
const sum = [0, 0, 0];
let n = 0;
const rl = createInterface({ input: createReadStream(src), crlfDelay: Infinity });
for await (const line of rl) {
  if (line === '') continue;
  const f = line.split('\t');
  const vals = new Array(11);
  for (let c = 0; c < 11; c++) {
    const v = f[c];
    if (v === undefined || v === '\\N') { vals[c] = null; continue; }
    if (kinds[c] === 'm') {
      const cents = Number(v);
      sum[c - 5] += cents;
      vals[c] = cents / 100;
    } else if (kinds[c] === 'd') {
      vals[c] = new Date(v + 'T00:00:00Z');
    } else {
      vals[c] = v;
    }
  }
  const r = ws.addRow(vals);
  for (let c = 6; c <= 8; c++) r.getCell(c).numFmt = money;
  r.getCell(9).numFmt = 'yyyy-mm-dd';
  r.getCell(10).numFmt = 'yyyy-mm-dd';
  r.commit();
  n++;
}
ws.autoFilter = { from: { row: 6, column: 1 }, to: { row: 6 + n, column: 11 } };
const total = ws.addRow(['Total 總計', null, null, null, null,
  sum[0] / 100, sum[1] / 100, sum[2] / 100]);
total.font = { bold: true };
for (let c = 6; c <= 8; c++) total.getCell(c).numFmt = money;
total.commit();
ws.commit();
await wb.commit();
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`rows ${n} write_seconds ${secs.toFixed(3)}`);
