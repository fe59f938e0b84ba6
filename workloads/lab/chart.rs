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

/// The column a chart is drawn for. The book shows a [`Column::Wide`]
/// chart in its column on a wide screen and a [`Column::Narrow`] one on a
/// phone (a `<picture>` picks it), each linking to the wide one, so that
/// text is at least 11 px in both: a 720 px chart squeezed into a phone's
/// 345 px column would shrink its text by half.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// [`WIDTH`] pixels, a little under mdBook's 750 px column; row labels
    /// to the left of the rows.
    Wide,
    /// [`NARROW_WIDTH`] pixels, under the column of a 400 px screen; each
    /// row's label above it.
    Narrow,
}

/// The width of a narrow chart: a 400 px screen's column is 345 px in
/// mdBook's theme (measured by `scripts/book-layout`), so it is shown at
/// its own size.
pub const NARROW_WIDTH: u32 = 340;

/// The smallest text a chart draws, in plotters' units: 14 is written as a
/// `font-size` of 11.3 px (plotters writes its size over 1.24).
const TEXT: f64 = 14.0;
/// The title's size (13.7 px).
const TITLE: f64 = 17.0;

impl Column {
    /// Both columns, the wide first.
    pub const ALL: [Column; 2] = [Column::Wide, Column::Narrow];

    /// The chart's width in pixels.
    pub fn width(self) -> u32 {
        match self {
            Column::Wide => WIDTH,
            Column::Narrow => NARROW_WIDTH,
        }
    }

    /// The file a chart named `stem` is drawn into for this column:
    /// `stem.svg`, `stem-narrow.svg`.
    pub fn file(self, stem: &str) -> String {
        match self {
            Column::Wide => format!("{stem}.svg"),
            Column::Narrow => format!("{stem}-narrow.svg"),
        }
    }

    /// Pixels left of the plot for row labels of at most `chars`
    /// characters: in a wide chart 230, or more for longer labels (7 px a
    /// character at this size, a little over), up to 340; none to speak
    /// of in a narrow one, whose labels go above their rows.
    fn labels_px(self, chars: usize) -> u32 {
        match self {
            Column::Wide => (7 * chars as u32 + 16).clamp(230, 340),
            Column::Narrow => 14,
        }
    }

    /// Pixels a row: a narrow row holds its label above its bar.
    fn row_px(self) -> u32 {
        match self {
            Column::Wide => 28,
            Column::Narrow => 46,
        }
    }

    /// Half a bar's height, in rows.
    fn bar(self) -> f64 {
        match self {
            Column::Wide => 0.32,
            Column::Narrow => 0.17,
        }
    }

    /// How many labels the x axis gets.
    fn x_labels(self) -> usize {
        match self {
            Column::Wide => 6,
            Column::Narrow => 4,
        }
    }

    /// About how many characters of the caption's text fit a line (6.8 px
    /// a character at 11.3 px, less the margins).
    fn caption_chars(self) -> usize {
        (self.width() as usize - 24) * 10 / 68
    }

    /// About how many characters of the title fit a line (8.2 px each).
    fn title_chars(self) -> usize {
        (self.width() as usize - 24) * 10 / 82
    }
}

/// A horizontal bar a row from 1× to each ratio on a logarithmic axis, its
/// interval as a whisker, its value written beside it (`≈` where the
/// interval holds 1×); blue when faster, vermillion when slower, grey when
/// there is no measurable difference.
pub fn ratio_chart(
    column: Column,
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
    // Room on the right for the value written past the longest bar (a
    // narrow chart's plot is half as wide: more room in ratio terms).
    let room = match column {
        Column::Wide => 2.6,
        Column::Narrow => 4.0,
    };
    let (low, high) = (low / 1.4, high * room);
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
    let (bar, whisker) = (column.bar(), column.bar() * 0.5);
    let mut svg = String::new();
    {
        let frame = Frame::new(column, title, caption, rows.len());
        let (root, area) = frame.draw(&mut svg).map_err(|e| fail(&e))?;
        let n = rows.len().max(1) as f64;
        let longest = rows.iter().map(|r| r.label.chars().count()).max();
        let mut chart = row_axes(
            &area,
            column,
            longest.unwrap_or(0),
            (low, high),
            n - 0.5,
            axis,
            &|x| format!("{}×", short(*x)),
        )
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
                    [(1.0, y - bar), (clamp(row.median), y + bar)],
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
                        PathElement::new(
                            [(lo, y - whisker), (lo, y + whisker)],
                            BLACK.stroke_width(1),
                        ),
                        PathElement::new(
                            [(hi, y - whisker), (hi, y + whisker)],
                            BLACK.stroke_width(1),
                        ),
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
                    ("sans-serif", TEXT)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                )])
                .map_err(|e| fail(&e))?;
        }
        draw_row_labels(
            &root,
            &chart,
            column,
            rows.iter().map(|r| r.label.as_str()),
            n,
        )
        .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// A dot a row for each series on a logarithmic axis, each series in its
/// colour and marker shape, with a legend; a zero is drawn at the
/// axis's left end, faint.
pub fn dot_chart(
    column: Column,
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
        // Two rows of room above the data, for the legend.
        let frame = Frame::new(column, title, caption, rows.len() + 2);
        let (root, area) = frame.draw(&mut svg).map_err(|e| fail(&e))?;
        let n = rows.len().max(1) as f64;
        let longest = rows.iter().map(|r| r.0.chars().count()).max();
        let mut chart = row_axes(
            &area,
            column,
            longest.unwrap_or(0),
            (low, high),
            n + 1.5,
            axis,
            &|x| short(*x),
        )
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
        draw_row_labels(&root, &chart, column, rows.iter().map(|r| r.0.as_str()), n)
            .map_err(|e| fail(&e))?;
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// One line a series against a whole-number x (threads), each in its
/// colour and marker, with a legend; `y` from zero.
pub fn line_chart(
    column: Column,
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
        let plot_px = match column {
            Column::Wide => 300,
            Column::Narrow => 240,
        };
        // A narrow chart's legend goes under the plot, a line a series:
        // inside it, eight series would cover the lines.
        let legend_px = match column {
            Column::Wide => 0,
            Column::Narrow => 8 + LEGEND_LINE_PX * series.len() as u32,
        };
        let frame = Frame {
            body_px: plot_px + legend_px,
            ..Frame::new(column, title, caption, 0)
        };
        let (root, area) = frame.draw(&mut svg).map_err(|e| fail(&e))?;
        let (area, legend) = area.split_vertically(plot_px);
        let mut chart = ChartBuilder::on(&area)
            .margin(12)
            .x_label_area_size(46)
            .y_label_area_size(60)
            .build_cartesian_2d(0.5..max_x + 0.5, 0.0..max_y * 1.2)
            .map_err(|e| fail(&e))?;
        chart
            .configure_mesh()
            .x_desc(x_desc)
            .y_desc(y_desc)
            .x_labels(max_x as usize + 2)
            .y_labels(column.x_labels())
            .x_label_formatter(&|x| {
                if (x - x.round()).abs() < 1e-6 && *x >= 1.0 {
                    format!("{}", x.round())
                } else {
                    String::new()
                }
            })
            .label_style(("sans-serif", TEXT))
            .axis_desc_style(("sans-serif", TEXT))
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
        match column {
            Column::Wide => draw_legend(&mut chart).map_err(|e| fail(&e))?,
            Column::Narrow => {
                let style = ("sans-serif", TEXT)
                    .into_font()
                    .color(&BLACK)
                    .pos(Pos::new(HPos::Left, VPos::Center));
                for (s, (name, _)) in series.iter().enumerate() {
                    let color = SERIES_COLORS[s % SERIES_COLORS.len()];
                    let marker = MARKERS[s % MARKERS.len()];
                    let y = 12 + (LEGEND_LINE_PX * s as u32) as i32;
                    legend
                        .draw(&legend_marker((72, y), marker, color))
                        .map_err(|e| fail(&e))?;
                    legend
                        .draw_text(name, &style, (86, y))
                        .map_err(|e| fail(&e))?;
                }
            }
        }
        root.present().map_err(|e| fail(&e))?;
    }
    Ok(svg)
}

/// Pixels a line of a narrow chart's legend.
const LEGEND_LINE_PX: u32 = 18;

/// A chart's frame: its title (wrapped to the width) over the body, the
/// machine caption (wrapped) under it.
struct Frame {
    column: Column,
    title: Vec<String>,
    caption: Vec<String>,
    /// The body's height in pixels (plot, axis labels, margins).
    body_px: u32,
}

/// A chart's whole area and its body's.
type Areas<'a> = (
    DrawingArea<SVGBackend<'a>, Shift>,
    DrawingArea<SVGBackend<'a>, Shift>,
);

/// Pixels a title line.
const TITLE_LINE_PX: u32 = 20;
/// Pixels a caption line.
const CAPTION_LINE_PX: u32 = 17;

impl Frame {
    /// The frame of a chart of `rows` rows.
    fn new(column: Column, title: &str, caption: &str, rows: usize) -> Frame {
        Frame {
            column,
            title: wrap(title, " ", column.title_chars()),
            caption: caption_lines(caption, column.caption_chars()),
            // The rows, a margin above them, the axis's labels and its
            // description under them.
            body_px: 12 + column.row_px() * rows.max(1) as u32 + 58,
        }
    }

    fn title_px(&self) -> u32 {
        10 + TITLE_LINE_PX * self.title.len() as u32
    }

    fn footer_px(&self) -> u32 {
        8 + CAPTION_LINE_PX * self.caption.len() as u32
    }

    /// Draws the background, the title and the caption into `svg`;
    /// returns the whole area and the body's.
    fn draw<'a>(
        &self,
        svg: &'a mut String,
    ) -> Result<Areas<'a>, DrawingAreaErrorKind<std::io::Error>> {
        let width = self.column.width();
        let height = self.title_px() + self.body_px + self.footer_px();
        let root = SVGBackend::with_string(svg, (width, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let title_style = ("sans-serif", TITLE)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (idx, line) in self.title.iter().enumerate() {
            root.draw_text(
                line,
                &title_style,
                (width as i32 / 2, 8 + (TITLE_LINE_PX * idx as u32) as i32),
            )?;
        }
        let caption_style = ("sans-serif", TEXT)
            .into_font()
            .color(&RGBColor(80, 80, 80));
        let top = (self.title_px() + self.body_px) as i32;
        for (idx, line) in self.caption.iter().enumerate() {
            root.draw_text(
                line,
                &caption_style,
                (12, top + 4 + (CAPTION_LINE_PX * idx as u32) as i32),
            )?;
        }
        let body = root
            .clone()
            .shrink((0, self.title_px()), (width, self.body_px));
        Ok((root, body))
    }
}

/// The axes of a chart of rows, drawn: a logarithmic x axis from `low` to
/// `high` described by `axis` and labelled by `label`, the rows at whole
/// `y` from 0 up, the plot reaching `y_top`. The row labels go in the left
/// margin or above their rows ([`draw_row_labels`]).
fn row_axes<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, Shift>,
    column: Column,
    label_chars: usize,
    (low, high): (f64, f64),
    y_top: f64,
    axis: &str,
    label: &dyn Fn(&f64) -> String,
) -> Result<RowChart<'a, 'b>, DrawingAreaErrorKind<std::io::Error>> {
    let mut chart = ChartBuilder::on(area)
        .margin(12)
        .margin_left(column.labels_px(label_chars))
        .x_label_area_size(46)
        .build_cartesian_2d((low..high).log_scale(), -0.5..y_top)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(column.x_labels())
        .x_desc(axis)
        .x_label_formatter(label)
        .x_label_style(("sans-serif", TEXT))
        .axis_desc_style(("sans-serif", TEXT))
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

/// `text` in lines of at most `chars` characters, broken after `at` (a
/// word longer than a line gets a line of its own).
fn wrap(text: &str, at: &str, chars: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for piece in text.split_inclusive(at) {
        if !line.is_empty() && line.chars().count() + piece.trim_end().chars().count() > chars {
            lines.push(std::mem::take(&mut line).trim_end().to_owned());
        }
        line.push_str(piece);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// The caption in lines of at most `chars`: the machine first (everything
/// before `rustc`), then the rest, each broken after commas (after spaces
/// where a piece between commas is longer than a line).
fn caption_lines(caption: &str, chars: usize) -> Vec<String> {
    let (machine, build) = match caption.find(", rustc") {
        Some(at) => (&caption[..at], &caption[at + 2..]),
        None => (caption, ""),
    };
    // After commas; a piece still too long, after spaces.
    wrap(machine, ", ", chars)
        .into_iter()
        .chain(wrap(build, ", ", chars))
        .flat_map(|line| {
            if line.chars().count() > chars {
                wrap(&line, " ", chars)
            } else {
                vec![line]
            }
        })
        .collect()
}

/// Each row's label at the row (row `i` is drawn at `y = n - 1 - i`):
/// right-aligned against the plot's left edge in a wide chart, above the
/// row from the plot's left edge in a narrow one.
fn draw_row_labels<'a, X, Y>(
    root: &DrawingArea<SVGBackend<'_>, Shift>,
    chart: &ChartContext<'_, SVGBackend<'_>, Cartesian2d<X, Y>>,
    column: Column,
    labels: impl Iterator<Item = &'a str>,
    n: f64,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>>
where
    X: Ranged<ValueType = f64>,
    Y: Ranged<ValueType = f64>,
{
    let left = chart.plotting_area().get_pixel_range().0.start;
    let x_value = chart.x_range().start;
    let font = ("sans-serif", TEXT).into_font().color(&BLACK);
    let style = match column {
        Column::Wide => font.pos(Pos::new(HPos::Right, VPos::Center)),
        Column::Narrow => font.pos(Pos::new(HPos::Left, VPos::Bottom)),
    };
    for (idx, label) in labels.enumerate() {
        let (_, py) = chart.backend_coord(&(x_value, n - 1.0 - idx as f64));
        let at = match column {
            Column::Wide => (left - 8, py),
            // Above the bar (half of it is 8 px) and clear of a marker.
            Column::Narrow => (left + 2, py - 10),
        };
        if column == Column::Narrow {
            // On white, so that the 1× line and the grid do not cross the
            // words (7 px a character at this size, a little over).
            let width = 7 * label.chars().count() as i32 + 4;
            root.draw(&Rectangle::new(
                [(at.0 - 2, at.1 - 15), (at.0 + width, at.1 + 1)],
                WHITE.filled(),
            ))?;
        }
        root.draw_text(label, &style, at)?;
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
        .label_font(("sans-serif", TEXT))
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
        for column in Column::ALL {
            let chars = column.caption_chars();
            let lines = caption_lines(caption, chars);
            assert_eq!(lines[0], "Intel(R) Xeon(R) Processor, 2 cores, 24 GiB");
            assert!(lines[1].starts_with("rustc 1.95.0"));
            assert!(
                lines.iter().all(|l| l.chars().count() <= chars),
                "{lines:?}"
            );
            assert_eq!(
                lines[1..].join(" "),
                caption[caption.find("rustc").unwrap()..]
            );
        }
        assert_eq!(
            caption_lines(caption, Column::Wide.caption_chars()).len(),
            3
        );
        assert_eq!(
            wrap("zakat/pipeline: each form's speed over naive", " ", 20),
            ["zakat/pipeline: each", "form's speed over", "naive"]
        );
    }

    #[test]
    fn a_wide_chart_makes_room_for_long_row_labels() {
        assert_eq!(Column::Wide.labels_px(10), 230);
        assert_eq!(Column::Wide.labels_px(40), 296);
        assert_eq!(Column::Wide.labels_px(80), 340);
        assert_eq!(Column::Narrow.labels_px(80), 14);
        // A row label is drawn right-aligned, ending at its `x`: the
        // whole label, at 7 px a character, lies right of the chart's edge.
        let label_x = |label: &str| -> f64 {
            let rows = [RatioRow::of_medians(label, 2.0)];
            let svg = ratio_chart(Column::Wide, "t", "speedup", "m", &rows).unwrap();
            let end = svg.find(&format!(">\n{label}\n<")).unwrap();
            let start = svg[..end].rfind("<text").unwrap();
            let at = start + svg[start..].find(" x=\"").unwrap() + 4;
            svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
        };
        let long = "fixed point, 1 worker: 1.67 M/s, 320 MB/s";
        assert!(
            label_x(long) >= 7.0 * long.len() as f64,
            "{}",
            label_x(long)
        );
        assert!(label_x(long) > label_x("short"));
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

    /// The `width` attribute of a chart and the smallest `font-size` in it.
    fn width_and_smallest_text(svg: &str) -> (u32, f64) {
        let at = svg.find(" width=\"").unwrap() + 8;
        let width = svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap();
        let smallest = svg
            .split("font-size=\"")
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].parse::<f64>().unwrap())
            .fold(f64::MAX, f64::min);
        (width, smallest)
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
        let height = |svg: &str| -> u32 {
            let at = svg.find(" height=\"").unwrap() + 9;
            svg[at..at + svg[at..].find('"').unwrap()].parse().unwrap()
        };
        for column in Column::ALL {
            let title = "murabaha/allocator-choice: each form's speed over naive";
            let svg = ratio_chart(column, title, "speedup", "machine, rustc 1", &rows).unwrap();
            let (width, smallest) = width_and_smallest_text(&svg);
            assert_eq!(width, column.width());
            assert!(smallest >= 11.0, "{column:?}: text of {smallest} px");
            assert!(svg.contains("lesson/11"));
            assert!(svg.contains("≈ 0.5×"), "the first row's interval holds 1×");
            let few = ratio_chart(column, "t", "speedup", "m", &rows[..2]).unwrap();
            assert!(height(&svg) > height(&few) + 200);
            let dots = dot_chart(
                column,
                "t",
                "per record",
                "m",
                &["naive", "optimized"],
                &[("a".into(), vec![30.0, 0.0]), ("b".into(), vec![2.0, 1.0])],
            )
            .unwrap();
            assert!(dots.contains("naive") && dots.contains("optimized"));
            assert!(width_and_smallest_text(&dots).1 >= 11.0);
            let lines = line_chart(
                column,
                title,
                ("threads", "ms"),
                "m",
                &[("naive".into(), vec![(1.0, 3.0), (2.0, 1.6)])],
            )
            .unwrap();
            assert_eq!(width_and_smallest_text(&lines), (column.width(), smallest));
            // A zero, an infinity and a NaN are drawn at the axis's end.
            let odd = [0.0, f64::INFINITY, f64::NAN].map(|v| RatioRow {
                interval: Some((v, v)),
                ..RatioRow::of_medians("odd", v)
            });
            assert!(
                ratio_chart(column, "t", "x", "m", &odd)
                    .unwrap()
                    .contains("odd")
            );
        }
        // A narrow chart's title is wrapped to its width.
        let narrow = ratio_chart(
            Column::Narrow,
            "murabaha/allocator-choice: each form's speed over naive",
            "x",
            "m",
            &rows,
        )
        .unwrap();
        assert!(narrow.contains(">\nmurabaha/allocator-choice: each form&apos;s\n<"));
    }
}
