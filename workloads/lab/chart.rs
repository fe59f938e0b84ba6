//! The book's charts, drawn for its column: [`WIDTH`] pixels wide, so that
//! their text is the size it was drawn at; one row per lesson or form, so
//! that a chart grows down the page and never across it; ratios on a
//! logarithmic axis with the 1× line, so that 0.7× and 1.4× are the same
//! distance from "no change" and a 30× gain does not flatten a 1.1× one;
//! the Okabe–Ito colours, which readers with any common colour-vision
//! deficiency can tell apart, and never colour alone: each bar carries its
//! value, each series its own marker shape, and the legend names both.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::stats::{Ratio, Verdict};

/// The width of every chart: a little under mdBook's 750 px column.
pub const WIDTH: u32 = 720;

/// The Okabe–Ito palette (Okabe and Ito, "Color Universal Design", 2008),
/// black first.
pub const OKABE_ITO: [RGBColor; 8] = [
    RGBColor(0, 0, 0),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(240, 228, 66),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
];
const BLUE_OI: RGBColor = OKABE_ITO[5];
const VERMILLION: RGBColor = OKABE_ITO[6];
const GREY: RGBColor = RGBColor(140, 140, 140);

/// The colours of a chart's series, in order: vermillion, blue, orange,
/// bluish green, reddish purple, sky blue, black (yellow, which is faint on
/// white, is left out).
const SERIES_COLORS: [RGBColor; 7] = [
    VERMILLION,
    BLUE_OI,
    OKABE_ITO[1],
    OKABE_ITO[3],
    OKABE_ITO[7],
    OKABE_ITO[2],
    OKABE_ITO[0],
];

/// The marker of series `idx`, its second cue beside the colour.
#[derive(Debug, Clone, Copy)]
enum Marker {
    Circle,
    Triangle,
    Square,
    Diamond,
    Cross,
}

const MARKERS: [Marker; 5] = [
    Marker::Circle,
    Marker::Triangle,
    Marker::Square,
    Marker::Diamond,
    Marker::Cross,
];

/// One row of a ratio chart.
#[derive(Debug, Clone)]
pub struct RatioRow {
    /// What the row measures (a lesson, a form).
    pub label: String,
    /// The ratio (above 1: faster).
    pub median: f64,
    /// Its interval, drawn as a whisker; `None` for a ratio of medians.
    pub interval: Option<(f64, f64)>,
    /// What the interval lets one say ([`Ratio::verdict`]); for a ratio of
    /// medians, which side of 1× it is on.
    pub verdict: Verdict,
}

impl RatioRow {
    /// A row for a measured ratio, with its interval and verdict.
    pub fn of(label: impl Into<String>, ratio: &Ratio) -> Self {
        Self {
            label: label.into(),
            median: ratio.median,
            interval: Some((ratio.low, ratio.high)),
            verdict: ratio.verdict(),
        }
    }

    /// A row for a ratio of two medians, which has no interval.
    pub fn of_medians(label: impl Into<String>, median: f64) -> Self {
        Self {
            label: label.into(),
            median,
            interval: None,
            verdict: if median >= 1.0 {
                Verdict::Faster
            } else {
                Verdict::Slower
            },
        }
    }
}

/// A horizontal bar a row from 1× to each ratio on a logarithmic axis, its
/// interval as a whisker, its value written beside it (`≈` where the
/// interval holds 1×); blue when faster, vermillion when slower, grey when
/// there is no measurable difference.
pub fn ratio_chart(
    title: &str,
    axis: &str,
    caption: &str,
    rows: &[RatioRow],
) -> Result<String, String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot draw {title}: {e}");
    let extent = rows
        .iter()
        .flat_map(|r| {
            [
                Some(r.median),
                r.interval.map(|i| i.0),
                r.interval.map(|i| i.1),
            ]
        })
        .flatten()
        .filter(|v| v.is_finite() && *v > 0.0);
    let (low, high) = extent.fold((1.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    // Room on the right for the value written past the longest bar.
    let (low, high) = (low / 1.4, high * 2.6);
    // Nothing reaches the logarithmic axis outside its range: a zero or a
    // NaN would map to no pixel (and plotters' log coordinates can loop
    // on one).
    let clamp = |v: f64| {
        if v.is_finite() {
            v.clamp(low, high)
        } else {
            low
        }
    };
    let mut svg = String::new();
    {
        let root = canvas(&mut svg, rows.len());
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let (area, footer) = root.split_vertically(root.dim_in_pixel().1 - FOOTER_PX);
        draw_caption(&footer, caption).map_err(|e| fail(&e))?;
        let n = rows.len().max(1) as f64;
        let mut chart = row_axes(&area, title, (low, high), n - 0.5, axis, &|x| {
            format!("{}×", short(*x))
        })
        .map_err(|e| fail(&e))?;
        // The 1× line.
        chart
            .draw_series(LineSeries::new(
                [(1.0, -0.5), (1.0, n - 0.5)],
                BLACK.stroke_width(1),
            ))
            .map_err(|e| fail(&e))?;
        for (idx, row) in rows.iter().enumerate() {
            let y = n - 1.0 - idx as f64;
            let color = match row.verdict {
                Verdict::Faster => BLUE_OI,
                Verdict::Slower => VERMILLION,
                Verdict::NoDifference => GREY,
            };
            chart
                .draw_series([Rectangle::new(
                    [(1.0, y - 0.32), (clamp(row.median), y + 0.32)],
                    color.filled(),
                )])
                .map_err(|e| fail(&e))?;
            let mut right = clamp(row.median).max(1.0);
            if let Some((lo, hi)) = row.interval {
                let (lo, hi) = (clamp(lo), clamp(hi));
                right = right.max(hi);
                chart
                    .draw_series([
                        PathElement::new([(lo, y), (hi, y)], BLACK.stroke_width(1)),
                        PathElement::new([(lo, y - 0.15), (lo, y + 0.15)], BLACK.stroke_width(1)),
                        PathElement::new([(hi, y - 0.15), (hi, y + 0.15)], BLACK.stroke_width(1)),
                    ])
                    .map_err(|e| fail(&e))?;
            }
            let value = match row.verdict {
                Verdict::NoDifference => format!("≈ {}×", short(row.median)),
                _ => format!("{}×", short(row.median)),
            };
            chart
                .draw_series([Text::new(
                    value,
                    (clamp(right * 1.08), y),
                    ("sans-serif", 12)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )])
                .map_err(|e| fail(&e))?;
        }
        draw_row_labels(&root, &chart, rows.iter().map(|r| r.label.as_str()), n)
            .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// A dot a row for each series on a logarithmic axis, each series in its
/// colour and marker shape, with a legend; a zero is drawn at the
/// axis's left end, faint.
pub fn dot_chart(
    title: &str,
    axis: &str,
    caption: &str,
    series: &[&str],
    rows: &[(String, Vec<f64>)],
) -> Result<String, String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot draw {title}: {e}");
    let positive = rows
        .iter()
        .flat_map(|(_, values)| values.iter().copied())
        .filter(|v| *v > 0.0);
    let (low, high) = positive.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let (low, high) = if low > high {
        (0.1, 10.0)
    } else {
        (low / 3.0, high * 3.0)
    };
    let mut svg = String::new();
    {
        let root = canvas(&mut svg, rows.len() + 2);
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let (area, footer) = root.split_vertically(root.dim_in_pixel().1 - FOOTER_PX);
        draw_caption(&footer, caption).map_err(|e| fail(&e))?;
        let n = rows.len().max(1) as f64;
        // Two rows of room above the data, for the legend.
        let mut chart = row_axes(&area, title, (low, high), n + 1.5, axis, &|x| short(*x))
            .map_err(|e| fail(&e))?;
        for (s, name) in series.iter().enumerate() {
            let color = SERIES_COLORS[s % SERIES_COLORS.len()];
            let marker = MARKERS[s % MARKERS.len()];
            let points: Vec<(f64, f64, bool)> = rows
                .iter()
                .enumerate()
                .filter_map(|(idx, (_, values))| {
                    let v = *values.get(s)?;
                    let y = n - 1.0 - idx as f64;
                    Some(if v > 0.0 {
                        (v, y, true)
                    } else {
                        (low, y, false)
                    })
                })
                .collect();
            chart
                .draw_series(points.iter().map(|(x, y, filled)| {
                    EmptyElement::at((*x, *y))
                        + Polygon::new(marker_shape(marker), marker_style(color, *filled))
                }))
                .map_err(|e| fail(&e))?
                .label(*name)
                .legend(move |at| legend_marker(at, marker, color));
        }
        draw_legend(&mut chart).map_err(|e| fail(&e))?;
        draw_row_labels(&root, &chart, rows.iter().map(|r| r.0.as_str()), n)
            .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// One line a series against a whole-number x (threads), each in its
/// colour and marker, with a legend; `y` from zero.
pub fn line_chart(
    title: &str,
    (x_desc, y_desc): (&str, &str),
    caption: &str,
    series: &[(String, Vec<(f64, f64)>)],
) -> Result<String, String> {
    let fail = |e: &dyn std::fmt::Display| format!("cannot draw {title}: {e}");
    let points = series.iter().flat_map(|(_, line)| line.iter());
    let (max_x, max_y) = points.fold((1.0f64, 0.001f64), |(mx, my), (x, y)| {
        (mx.max(*x), my.max(*y))
    });
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 400)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| fail(&e))?;
        let (area, footer) = root.split_vertically(400 - FOOTER_PX);
        draw_caption(&footer, caption).map_err(|e| fail(&e))?;
        let mut chart = ChartBuilder::on(&area)
            .caption(title, ("sans-serif", 16))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0.5..max_x + 0.5, 0.0..max_y * 1.2)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(max_x as usize + 2)
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() < 1e-6 && *x >= 1.0 {
                    format!("{}", x.round())
                } else {
                    String::new()
                }
            })
            .label_style(("sans-serif", 12))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|e| fail(&e))?;
        for (s, (name, line)) in series.iter().enumerate() {
            let color = SERIES_COLORS[s % SERIES_COLORS.len()];
            let marker = MARKERS[s % MARKERS.len()];
            chart
                .draw_series(LineSeries::new(line.iter().copied(), color.stroke_width(2)))
                .map_err(|e| fail(&e))?;
            chart
                .draw_series(line.iter().map(|point| {
                    EmptyElement::at(*point) + Polygon::new(marker_shape(marker), color.filled())
                }))
                .map_err(|e| fail(&e))?
                .label(name.as_str())
                .legend(move |at| legend_marker(at, marker, color));
        }
        draw_legend(&mut chart).map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// The axes of a chart of rows, drawn: the title, a logarithmic x axis from
/// `low` to `high` described by `axis` and labelled by `label`, the rows at
/// whole `y` from 0 up, the plot reaching `y_top`. The row labels go in the
/// left margin ([`draw_row_labels`]).
fn row_axes<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, Shift>,
    title: &str,
    (low, high): (f64, f64),
    y_top: f64,
    axis: &str,
    label: &dyn Fn(&f64) -> String,
) -> Result<RowChart<'a, 'b>, DrawingAreaErrorKind<std::io::Error>> {
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 16))
        .margin(12)
        .margin_left(LABELS_PX)
        .x_label_area_size(34)
        .build_cartesian_2d((low..high).log_scale(), -0.5..y_top)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(axis)
        .x_label_formatter(label)
        .x_label_style(("sans-serif", 12))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    Ok(chart)
}

/// A chart of rows: logarithmic x, a row a whole y.
type RowChart<'a, 'b> = ChartContext<
    'a,
    SVGBackend<'b>,
    Cartesian2d<LogCoord<f64>, plotters::coord::types::RangedCoordf64>,
>;

/// Pixels left of the plot for the row labels.
const LABELS_PX: u32 = 230;
/// Pixels under the plot for the machine caption.
const FOOTER_PX: u32 = 52;
/// Pixels a row.
const ROW_PX: u32 = 26;

fn canvas(svg: &mut String, rows: usize) -> DrawingArea<SVGBackend<'_>, Shift> {
    let height = 50 + ROW_PX * rows.max(1) as u32 + 60 + FOOTER_PX;
    SVGBackend::with_string(svg, (WIDTH, height)).into_drawing_area()
}

/// The fingerprint under the chart: the machine, then how it ran, each
/// wrapped at a comma to fit the width.
fn draw_caption(
    footer: &DrawingArea<SVGBackend<'_>, Shift>,
    caption: &str,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    let style = ("sans-serif", 11).into_font().color(&RGBColor(80, 80, 80));
    for (idx, line) in caption_lines(caption).iter().take(3).enumerate() {
        footer.draw_text(line, &style, (12, 4 + 15 * idx as i32))?;
    }
    Ok(())
}

/// The caption in lines of at most [`CAPTION_CHARS`]: the machine first
/// (everything before `rustc`), then the rest, broken after commas.
fn caption_lines(caption: &str) -> Vec<String> {
    let (machine, build) = match caption.find(", rustc") {
        Some(at) => (&caption[..at], &caption[at + 2..]),
        None => (caption, ""),
    };
    let mut lines = vec![machine.to_owned()];
    let mut line = String::new();
    for piece in build.split_inclusive(", ") {
        if !line.is_empty() && line.len() + piece.len() > CAPTION_CHARS {
            lines.push(std::mem::take(&mut line).trim_end().to_owned());
        }
        line.push_str(piece);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// About what fits across [`WIDTH`] at the caption's 11 px.
const CAPTION_CHARS: usize = 110;

/// Each row's label, right-aligned against the plot's left edge, at the
/// row's centre (row `i` is drawn at `y = n - 1 - i`).
fn draw_row_labels<'a, X, Y>(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    chart: &ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    labels: impl Iterator<Item = &'a str>,
    n: f64,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let left = chart.plotting_area().get_pixel_range().0.start;
    let x_value = chart.x_range().start;
    let style = ("sans-serif", 12)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    for (idx, label) in labels.enumerate() {
        let (_, py) = chart.backend_coord(&(x_value, n - 1.0 - idx as f64));
        root.draw_text(label, &style, (left - 8, py))?;
    }
    Ok(())
}

/// A series' marker in the legend, at the legend's pixel `(x, y)`.
fn legend_marker((x, y): (i32, i32), marker: Marker, color: RGBColor) -> Polygon<(i32, i32)> {
    let points = marker_shape(marker)
        .into_iter()
        .map(|(dx, dy)| (x + dx, y + dy))
        .collect::<Vec<_>>();
    Polygon::new(points, color.filled())
}

/// The legend, boxed, in the upper right corner.
fn draw_legend<'a, 'b: 'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>>
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE)
        .border_style(BLACK)
        .label_font(("sans-serif", 12))
        .draw()
}

/// The marker's fill: solid, or faint for a point drawn where the axis
/// cannot show its value (a zero on a logarithmic axis).
fn marker_style(color: RGBColor, filled: bool) -> ShapeStyle {
    if filled {
        color.filled()
    } else {
        color.mix(0.3).filled()
    }
}

/// The vertices of a marker around (0, 0), in pixels.
fn marker_shape(marker: Marker) -> Vec<(i32, i32)> {
    let r = 5.5f64;
    let round = |points: &[(f64, f64)]| -> Vec<(i32, i32)> {
        points
            .iter()
            .map(|(x, y)| (x.round() as i32, y.round() as i32))
            .collect()
    };
    match marker {
        Marker::Circle => round(
            &(0..16)
                .map(|i| {
                    let a = f64::from(i) * std::f64::consts::TAU / 16.0;
                    (r * a.cos(), r * a.sin())
                })
                .collect::<Vec<_>>(),
        ),
        Marker::Triangle => round(&[(0.0, -r - 1.0), (r + 1.0, r), (-r - 1.0, r)]),
        Marker::Square => round(&[(-r, -r), (r, -r), (r, r), (-r, r)]),
        Marker::Diamond => round(&[
            (0.0, -r - 1.5),
            (r + 1.5, 0.0),
            (0.0, r + 1.5),
            (-r - 1.5, 0.0),
        ]),
        Marker::Cross => {
            let (a, w) = (r + 0.5, 1.5);
            round(&[
                (-w, -a),
                (w, -a),
                (w, -w),
                (a, -w),
                (a, w),
                (w, w),
                (w, a),
                (-w, a),
                (-w, w),
                (-a, w),
                (-a, -w),
                (-w, -w),
            ])
        }
    }
}

/// A number to three significant figures, without trailing zeros.
fn short(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = (2 - x.abs().log10().floor() as i32).max(0) as usize;
    let text = format!("{x:.digits$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_wrap_at_commas() {
        let caption = "Intel(R) Xeon(R) Processor, 2 cores, 24 GiB, rustc 1.95.0 (59807616e 2026-04-14), release build, system, counted allocator, 2 threads, 2026-12-02, commit e8937d45d5 (dirty), parallelism 1.91 of 2 cores (generated by mizan report)";
        let lines = caption_lines(caption);
        assert_eq!(lines[0], "Intel(R) Xeon(R) Processor, 2 cores, 24 GiB");
        assert!(lines[1].starts_with("rustc 1.95.0"));
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.len() <= CAPTION_CHARS));
        assert_eq!(
            lines[1..].join(" "),
            caption[caption.find("rustc").unwrap()..]
        );
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(short(8.5432), "8.54");
        assert_eq!(short(26.2), "26.2");
        assert_eq!(short(0.698), "0.698");
        assert_eq!(short(1.0), "1");
        assert_eq!(short(150.0), "150");
        assert_eq!(short(0.00002), "0.00002");
    }

    #[test]
    fn charts_fit_the_column_and_grow_down() {
        let rows: Vec<RatioRow> = (0..12)
            .map(|i| {
                let i = f64::from(i);
                let ratio = Ratio {
                    median: 0.5 + i * 3.0,
                    low: 0.4 + i * 2.5,
                    high: 1.2 + i * 3.5,
                    pairs: 6,
                    slices: 6,
                    coverage: 0.969,
                };
                RatioRow::of(format!("lesson/{i}"), &ratio)
            })
            .collect();
        let svg = ratio_chart("t", "speedup", "machine, rustc 1", &rows).unwrap();
        assert!(svg.contains(&format!("width=\"{WIDTH}\"")));
        assert!(svg.contains("lesson/11"));
        assert!(svg.contains("≈ 0.5×"), "the first row's interval holds 1×");
        let few = ratio_chart("t", "speedup", "m", &rows[..2]).unwrap();
        let height = |svg: &str| -> u32 {
            let at = svg.find(" height=\"").unwrap() + 9;
            svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
        };
        assert!(height(&svg) > height(&few) + 200);
        let dots = dot_chart(
            "t",
            "per record",
            "m",
            &["naive", "optimized"],
            &[("a".into(), vec![30.0, 0.0]), ("b".into(), vec![2.0, 1.0])],
        )
        .unwrap();
        assert!(dots.contains("naive") && dots.contains("optimized"));
        // A zero, an infinity and a NaN are drawn at the axis's end.
        let odd = [0.0, f64::INFINITY, f64::NAN].map(|v| RatioRow {
            interval: Some((v, v)),
            ..RatioRow::of_medians("odd", v)
        });
        assert!(ratio_chart("t", "x", "m", &odd).unwrap().contains("odd"));
    }
}
