//! report.html: one self-contained page — inline SVG charts, tables, text and the scenario —
//! with embedded CSS, no scripts and no external resources, so it can be attached to a ticket
//! or opened from a shared drive.

/// A piece of the page.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading.
    Heading(String),
    /// A paragraph of text.
    Paragraph(String),
    /// A highlighted statement (the recommendation).
    Callout(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table: header, rows, and the first column that is numeric (right-aligned).
    Table {
        /// Column names.
        header: Vec<String>,
        /// Cells.
        rows: Vec<Vec<String>>,
        /// Columns from this index on are right-aligned.
        numeric_from: usize,
        /// Row indices to highlight.
        highlight: Vec<usize>,
    },
    /// An inline SVG chart with a caption.
    Chart {
        /// The SVG document.
        svg: String,
        /// Caption.
        caption: String,
    },
    /// Preformatted text (the scenario).
    Code(String),
    /// Labelled facts (provenance): a two-column list.
    Facts(Vec<(String, String)>),
    /// A collapsed part (HTML `<details>`, no script needed).
    Details {
        /// What the collapsed part is.
        summary: String,
        /// Its content.
        blocks: Vec<Block>,
    },
}

/// Escapes text for HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The SVG element of a plotters document (without an XML declaration), sized by CSS.
fn inline_svg(svg: &str) -> &str {
    let start = svg.find("<svg").unwrap_or(0);
    &svg[start..]
}

const STYLE: &str = r#"
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1d2330;
  font: 15px/1.5 "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; background: #fff;
  min-height: 100vh; box-shadow: 0 0 0 1px #e3e5e8; }
h1 { font-size: 26px; margin: 8px 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #e3e5e8; }
p.meta { color: #5b6270; margin: 0 0 16px; }
.callout { border-left: 6px solid #2c9f2c; background: #eef8ee; padding: 12px 16px;
  font-size: 17px; font-weight: bold; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; font-size: 13px; }
th, td { padding: 4px 5px; border-bottom: 1px solid #e6e8eb; white-space: nowrap; }
th { background: #f0f2f5; text-align: left; white-space: normal; vertical-align: bottom; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px;
  margin: 0 0 12px; font-size: 13.5px; color: #3b4250; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; overflow-wrap: anywhere;
  font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.highlight td { background: #fff7d6; font-weight: bold; }
figure { margin: 16px 0; }
figure svg { width: 100%; height: auto; border: 1px solid #e6e8eb; }
figcaption { color: #5b6270; font-size: 13.5px; margin-top: 4px; }
pre { background: #f6f8fa; border: 1px solid #e6e8eb; padding: 12px; overflow-x: auto;
  font: 13px/1.45 "DejaVu Sans Mono", Menlo, Consolas, monospace; }
details { margin: 8px 0; }
summary { cursor: pointer; color: #1f5fa8; }
footer { color: #8a909b; font-size: 12.5px; margin-top: 36px; }
"#;

fn render_block(block: &Block, out: &mut String) {
    match block {
        Block::Heading(text) => out.push_str(&format!("<h2>{}</h2>\n", escape(text))),
        Block::Paragraph(text) => out.push_str(&format!("<p>{}</p>\n", escape(text))),
        Block::Callout(text) => {
            out.push_str(&format!("<p class=\"callout\">{}</p>\n", escape(text)))
        }
        Block::List(items) => {
            out.push_str("<ul>\n");
            for item in items {
                out.push_str(&format!("<li>{}</li>\n", escape(item)));
            }
            out.push_str("</ul>\n");
        }
        Block::Table {
            header,
            rows,
            numeric_from,
            highlight,
        } => {
            out.push_str("<table>\n<thead><tr>");
            for (c, name) in header.iter().enumerate() {
                let class = if c >= *numeric_from {
                    " class=\"num\""
                } else {
                    ""
                };
                out.push_str(&format!("<th{class}>{}</th>", escape(name)));
            }
            out.push_str("</tr></thead>\n<tbody>\n");
            for (r, row) in rows.iter().enumerate() {
                if highlight.contains(&r) {
                    out.push_str("<tr class=\"highlight\">");
                } else {
                    out.push_str("<tr>");
                }
                for (c, cell) in row.iter().enumerate() {
                    let class = if c >= *numeric_from {
                        " class=\"num\""
                    } else {
                        ""
                    };
                    out.push_str(&format!("<td{class}>{}</td>", escape(cell)));
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody>\n</table>\n");
        }
        Block::Chart { svg, caption } => {
            out.push_str("<figure>\n");
            out.push_str(inline_svg(svg));
            out.push_str(&format!(
                "\n<figcaption>{}</figcaption>\n</figure>\n",
                escape(caption)
            ));
        }
        Block::Code(text) => out.push_str(&format!("<pre>{}</pre>\n", escape(text))),
        Block::Facts(facts) => {
            out.push_str("<dl class=\"facts\">\n");
            for (label, value) in facts {
                out.push_str(&format!(
                    "<dt>{}</dt><dd>{}</dd>\n",
                    escape(label),
                    escape(value)
                ));
            }
            out.push_str("</dl>\n");
        }
        Block::Details { summary, blocks } => {
            out.push_str(&format!(
                "<details>\n<summary>{}</summary>\n",
                escape(summary)
            ));
            for block in blocks {
                render_block(block, out);
            }
            out.push_str("</details>\n");
        }
    }
}

/// The page: a title, a line under it, and the blocks.
pub fn render(title: &str, subtitle: &str, blocks: &[Block]) -> String {
    let mut out =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(title)));
    out.push_str(&format!(
        "<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
    ));
    out.push_str(&format!(
        "<h1>{}</h1>\n<p class=\"meta\">{}</p>\n",
        escape(title),
        escape(subtitle)
    ));
    for block in blocks {
        render_block(block, &mut out);
    }
    out.push_str(&format!(
        "<footer>spotsim {} — SageMaker Managed Spot Training simulator.</footer>\n</main>\n</body>\n</html>\n",
        super::provenance::version()
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_inlines() {
        let page = render(
            "a <b> & c",
            "sub",
            &[
                Block::Chart {
                    svg: "<?xml version=\"1.0\"?><svg viewBox=\"0 0 1 1\"></svg>".into(),
                    caption: "x".into(),
                },
                Block::Code("[job]\nname = \"<x>\"".into()),
            ],
        );
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.contains("a &lt;b&gt; &amp; c"));
        assert!(page.contains("<figure>\n<svg viewBox"));
        assert!(!page.contains("<?xml"));
        assert!(page.contains("name = &quot;&lt;x&gt;&quot;"));
        assert!(!page.contains("<script"));
    }
}
