"""The HTML report's stylesheet, inline in the page: readable on a phone (tables scroll in their wrapper,
long cells wrap), printable (sections kept on a page where they fit, highlights visible without colour)."""

CSS = """
:root{--ink:#1d2939;--muted:#667085;--line:#d0d5dd;--head:#f2f4f7;
--error:#b42318;--error-bg:#fee4e2;--warning:#93370d;--warning-bg:#fef0c7;--info:#175cd3;--info-bg:#dbeafe;
--changed-bg:#fff1c2}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:75rem;padding:1rem;color:var(--ink);background:#fff;line-height:1.55;
overflow-wrap:break-word;
font-family:"PingFang SC","Hiragino Sans GB","Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",
"WenQuanYi Micro Hei",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:15px}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;margin:2rem 0 .6rem;padding-bottom:.2rem;
border-bottom:2px solid var(--ink)}h3{font-size:1.1rem;margin:1.2rem 0 .4rem}
h4{font-size:1rem;margin:1rem 0 .3rem}
p{margin:.3rem 0}.meta{color:var(--muted);font-size:.9rem}
a{color:var(--info)}code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.85em}a>code{white-space:nowrap}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4rem 0 .8rem;max-width:100%}
table{border-collapse:collapse;font-size:.85rem}
th,td{border:1px solid var(--line);padding:.25rem .45rem;vertical-align:top;text-align:left;
overflow-wrap:anywhere;word-break:break-word}
th{background:var(--head);font-weight:600;white-space:nowrap}
td.n,th.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
td.t{min-width:6em}td.k{white-space:nowrap}td.long{min-width:11em;max-width:24em}
table.wide{width:100%;min-width:54rem}
tr.flag-error>td:first-child{border-left:4px solid var(--error)}
tr.flag-warning>td:first-child{border-left:4px solid var(--warning)}
tr.flag-info>td:first-child{border-left:4px solid var(--info)}
tr.flag-error{background:#fff6f5}tr.flag-warning{background:#fffbeb}tr.flag-info{background:#f5f9ff}
td.changed,span.changed{background:var(--changed-bg);font-weight:700;text-decoration:underline dotted}
td.flag-cell{box-shadow:inset 0 0 0 2px var(--warning)}
.badge{display:inline-block;padding:0 .45em;border:1px solid;border-radius:.3em;font-size:.75rem;
font-weight:700;line-height:1.5;white-space:nowrap}
.badge.error{color:var(--error);background:var(--error-bg)}
.badge.warning{color:var(--warning);background:var(--warning-bg)}
.badge.info{color:var(--info);background:var(--info-bg)}
.cards{display:flex;flex-wrap:wrap;gap:.5rem;margin:.6rem 0}
.card{border:1px solid var(--line);border-radius:.4rem;padding:.4rem .8rem;min-width:7.5rem}
.card b{display:block;font-size:1.35rem;line-height:1.2}.card span{color:var(--muted);font-size:.8rem}
.card.error b{color:var(--error)}.card.warning b{color:var(--warning)}.card.info b{color:var(--info)}
section.form{border:1px solid var(--line);border-radius:.4rem;padding:.2rem .9rem .6rem;margin:1rem 0}
section.form h3{margin-top:.6rem}
.totals{font-size:.95rem;margin:.4rem 0}.totals b{font-variant-numeric:tabular-nums}
ul.findings{list-style:none;padding:0;margin:.3rem 0}
ul.findings li{margin:.25rem 0;padding-left:.2rem}
ul.findings .where{color:var(--muted)}
.explain{font-size:.85rem;color:#344054}.explain ul{margin:.2rem 0;padding-left:1.2rem}
dl.catalogue dt{margin-top:.8rem;font-weight:600}dl.catalogue dd{margin:.2rem 0 0 1rem}
dl.catalogue .label{color:var(--muted)}
.none{color:var(--muted)}
.charts{display:flex;flex-wrap:wrap;gap:1rem;margin:.6rem 0}.charts figure{margin:0;flex:1 1 20rem;max-width:32rem}
svg.chart{width:100%;height:auto;font-family:inherit}svg.chart text{fill:var(--ink)}
details.form>summary{cursor:pointer;font-weight:600;padding:.3rem 0}
.note{border-left:4px solid var(--warning);background:var(--warning-bg);padding:.4rem .8rem;margin:.6rem 0}
footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
@media (max-width:40rem){body{padding:.6rem;font-size:14px}h1{font-size:1.3rem}.card{min-width:6rem}}
@page{size:A4;margin:12mm}
@media print{
body{max-width:none;padding:0;font-size:9pt;line-height:1.35}
h2{break-after:avoid;page-break-after:avoid}h3,h4{break-after:avoid;page-break-after:avoid}
.scroll{overflow:visible}
table{max-width:100%;font-size:7.5pt}table.wide{width:100%;min-width:0}
td.long{max-width:none;min-width:0}td.t{min-width:0}
th{white-space:normal}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
section.form{break-inside:avoid;page-break-inside:avoid;border:0;border-top:1px solid var(--ink);
border-radius:0;padding:0}
section.file{break-before:auto}
a{color:inherit;text-decoration:none}
td.changed,span.changed{text-decoration:underline}
}
"""
