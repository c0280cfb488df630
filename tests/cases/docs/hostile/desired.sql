-- Names Markdown, Mermaid, DOT or SVG could read as syntax: quotes, brackets, pipes, stars,
-- underscores, backticks, HTML, entity-looking text, '#', '%', ';', Unicode.
CREATE SCHEMA "we|ird*_`s";

CREATE TABLE "we|ird*_`s"."Tab ""quoted"" [x]" (
    id integer PRIMARY KEY,
    "col|*_`<b>bold</b>" text,
    "ünï 🐘 #quot; %%" text NOT NULL DEFAULT 'a|b'
);

CREATE TABLE "we|ird*_`s"."child#1 & <script>alert(1)</script>" (
    id integer PRIMARY KEY,
    "parent ""ref"" ;" integer REFERENCES "we|ird*_`s"."Tab ""quoted"" [x]" (id),
    "_under_" text
);

COMMENT ON TABLE "we|ird*_`s"."Tab ""quoted"" [x]" IS 'comment with | pipe, *stars*, _under_, `ticks` and <i>html</i>
on two lines';
COMMENT ON COLUMN "we|ird*_`s"."Tab ""quoted"" [x]"."col|*_`<b>bold</b>" IS '[not a link](http://x) & <u>not html</u>';
