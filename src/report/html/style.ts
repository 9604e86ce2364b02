/** The report's stylesheet (inlined: the file must work from disk with no network). */
export const STYLE = `
:root { --fg:#1d232b; --muted:#5b6470; --line:#dde1e6; --bg:#ffffff; --soft:#f5f7f9; --accent:#2f5d8a; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; background:var(--soft); color:var(--fg); font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
header.top { background:#1f2d3d; color:#fff; padding:22px 32px 18px; }
header.top h1 { margin:0 0 4px; font-size:22px; font-weight:600; letter-spacing:.2px; }
header.top .sub { color:#c5d0dc; font-size:13px; word-break:break-all; }
nav.toc { position:sticky; top:0; z-index:5; background:#fff; border-bottom:1px solid var(--line); padding:8px 32px; font-size:13px; }
nav.toc a { color:var(--accent); text-decoration:none; margin-right:16px; white-space:nowrap; }
nav.toc a:hover { text-decoration:underline; }
main { max-width:1180px; margin:0 auto; padding:20px 24px 60px; }
section { background:var(--bg); border:1px solid var(--line); border-radius:8px; padding:18px 22px; margin:18px 0; }
section > h2 { margin:0 0 12px; font-size:18px; font-weight:600; }
h3 { font-size:15px; margin:18px 0 8px; font-weight:600; }
p.note, .caption { color:var(--muted); font-size:13px; margin:4px 0 10px; }
.tiles { margin-bottom:12px; display:grid; grid-template-columns:repeat(auto-fill, minmax(150px, 1fr)); gap:10px; }
.tile { background:var(--soft); border:1px solid var(--line); border-radius:6px; padding:10px 12px; }
.tile .k { color:var(--muted); font-size:12px; text-transform:uppercase; letter-spacing:.4px; }
.tile .v { font-size:20px; font-weight:600; margin-top:2px; font-variant-numeric:tabular-nums; }
.tile .d { color:var(--muted); font-size:12px; }
figure.chart { margin:8px 0 22px; overflow-x:auto; }
figure.chart figcaption { font-weight:600; font-size:15px; margin-bottom:2px; }
figure.chart svg { max-width:100%; height:auto; display:block; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; }
th { background:#eef1f4; font-weight:600; position:sticky; top:37px; }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
tbody tr:nth-child(even) td { background:#fafbfc; }
table.sortable th { cursor:pointer; user-select:none; }
table.sortable th::after { content:" ↕"; color:#9aa3ad; font-weight:normal; }
table.sortable th[aria-sort=ascending]::after { content:" ▲"; color:var(--fg); }
table.sortable th[aria-sort=descending]::after { content:" ▼"; color:var(--fg); }
.scroll { max-height:640px; overflow:auto; border:1px solid var(--line); border-radius:6px; }
.scroll th { top:0; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12.5px; }
code { background:#f0f2f5; padding:1px 4px; border-radius:3px; overflow-wrap:break-word; }
pre { background:#0f1720; color:#e6edf3; padding:12px 14px; border-radius:6px; overflow:auto; font-size:12.5px; line-height:1.45; }
.val { display:inline-block; background:#f0f2f5; border-radius:3px; padding:0 4px; margin:1px 2px 1px 0; font-family: ui-monospace, Menlo, Consolas, monospace; font-size:12px; max-width:260px; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; vertical-align:bottom; }
#fit-table td:nth-child(2) { white-space:nowrap; }
.verdict { font-weight:700; white-space:nowrap; text-align:center; border-radius:4px; letter-spacing:.3px; }
.verdict.fits { background:#dff3dc; color:#17451a; border:1px solid #9ccf98; }
.verdict.tight { background:repeating-linear-gradient(135deg, #f2b705 0 6px, #f6cc4d 6px 12px); color:#2b1d00; border:1px solid #a77c00; }
.verdict.exceeds { background:#9e0019; color:#fff; border:1px solid #5c000e; }
.verdict.inconclusive { background:#eee; color:#222; border:1px dashed #666; }
.cls { white-space:nowrap; padding-left:6px; border-left:4px solid #999; display:inline-block; }
.cls.dimension { border-color:#4c78a8; } .cls.measure { border-color:#54a24b; } .cls.identifier-like { border-color:#e45756; }
.cls.free-text { border-color:#b279a2; } .cls.constant { border-color:#9d9d9d; }
.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:center; margin:8px 0 10px; font-size:13px; }
.filters input, .filters select { font:inherit; padding:4px 8px; border:1px solid #b8c0c9; border-radius:4px; background:#fff; }
.filters input { min-width:260px; }
.filter-count { color:var(--muted); }
.draft { border:1px solid var(--line); border-radius:6px; padding:12px 16px; margin:12px 0; }
.draft h3 { margin-top:0; }
ul.flags { list-style:none; padding:0; margin:8px 0; }
ul.flags li { background:#fff4e5; border-left:4px solid #c77700; padding:6px 10px; margin:4px 0; }
ul.flags li b { text-transform:uppercase; font-size:11px; letter-spacing:.4px; margin-right:6px; }
ul.why { margin:6px 0 8px; padding-left:20px; }
.ok { color:#17451a; font-weight:600; } .bad { color:#9e0019; font-weight:700; }
.grid2 { display:grid; grid-template-columns:1fr 1fr; gap:18px; }
@media (max-width: 900px) { .grid2 { grid-template-columns:1fr; } main { padding:12px; } }
footer { color:var(--muted); font-size:12px; text-align:center; padding:20px; }
@media print { nav.toc { display:none; } section { break-inside:avoid; } body { background:#fff; } }
`;
