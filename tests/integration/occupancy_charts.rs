//! Occupancy charts match their data (issue 11, defects 6 and 4): decoded PNGs of
//! hand-written `timeseries.csv` files show no mean line above the capacity it never exceeds,
//! and capacity as a step on the day it changes.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use image::{Rgb, RgbImage};

use crate::util::{caresim, fixture, stderr};

/// The first scenario's colour (Okabe–Ito blue): the mean line of a one-scenario chart.
const LINE: [u8; 3] = [0, 114, 178];

/// A pixel of the mean line (anti-aliased edges, lighter, excluded).
fn is_line(p: &Rgb<u8>) -> bool {
    p.0.iter().zip(LINE).all(|(&a, b)| a.abs_diff(b) <= 40)
}

fn is_black(p: &Rgb<u8>) -> bool {
    p.0.iter().all(|&a| a < 70)
}

/// A pixel of a line: the mean line or capacity, whatever its colour (black or the line's).
fn is_ink(p: &Rgb<u8>) -> bool {
    is_line(p) || is_black(p)
}

/// A result folder `r` in `dir` whose `timeseries.csv` holds only `rows` of the acute series
/// (day, capacity, mean, band low, band high), its charts redrawn by `caresim plot`; returns
/// the decoded acute occupancy chart.
fn chart_of(dir: &Path, rows: &[(u32, f64, f64, f64, f64)]) -> RgbImage {
    let v = fixture("valid.toml");
    let o = caresim(
        dir,
        &[
            "run",
            v.to_str().unwrap(),
            "--reps",
            "2",
            "--quiet",
            "--no-charts",
            "--out",
            "r",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut csv =
        String::from("day,series,capacity,mean,ci95_low,ci95_high,band95_low,band95_high,n\n");
    for (day, cap, mean, lo, hi) in rows {
        writeln!(csv, "{day},acute,{cap},{mean},{mean},{mean},{lo},{hi},2").unwrap();
    }
    fs::write(dir.join("r/timeseries.csv"), csv).unwrap();
    let o = caresim(dir, &["plot", "r"]);
    assert!(o.status.success(), "{}", stderr(&o));
    image::open(dir.join("r/charts/acute_occupancy.png"))
        .unwrap()
        .to_rgb8()
}

/// The plotting area found from the axes (the y axis is the column left of it, the x axis
/// the row below it): its first and last columns and rows, the last row being value 0;
/// `x(day)` maps a day (the x axis runs from 0 to `last_day`) to its column.
struct Frame {
    left: u32,
    right: u32,
    top: u32,
    bottom: u32,
    last_day: f64,
}

impl Frame {
    fn of(img: &RgbImage, last_day: f64) -> Frame {
        let (w, h) = img.dimensions();
        let black_in_column = |x: u32| (0..h).filter(|&y| is_black(img.get_pixel(x, y))).count();
        let y_axis = (0..w / 4).max_by_key(|&x| black_in_column(x)).unwrap();
        let black_in_row = |y: u32| (0..w).filter(|&x| is_black(img.get_pixel(x, y))).count();
        let x_axis = (h / 2..h).max_by_key(|&y| black_in_row(y)).unwrap();
        let top = (0..x_axis)
            .find(|&y| is_black(img.get_pixel(y_axis, y)))
            .unwrap();
        let right = (y_axis + 1..w)
            .take_while(|&x| is_black(img.get_pixel(x, x_axis)))
            .last()
            .unwrap_or(y_axis);
        let f = Frame {
            left: y_axis + 1,
            right,
            top,
            bottom: x_axis - 1,
            last_day,
        };
        assert!(
            f.bottom - f.top > 500 && f.right - f.left > 800,
            "axes not found: x {}..{}, y {}..{}",
            f.left,
            f.right,
            f.top,
            f.bottom
        );
        f
    }

    fn x(&self, day: f64) -> u32 {
        self.left + (f64::from(self.right - self.left) * day / self.last_day).round() as u32
    }

    /// The topmost row holding a line pixel (any colour) in columns `xs`, inside the plot.
    fn top_ink(&self, img: &RgbImage, xs: std::ops::RangeInclusive<u32>) -> u32 {
        (self.top + 1..self.bottom)
            .find(|&y| xs.clone().any(|x| is_ink(img.get_pixel(x, y))))
            .expect("no line in these columns")
    }
}

/// The mean line's pixels in columns `xs` and rows `ys`, as (x, y).
fn line_pixels(
    img: &RgbImage,
    xs: std::ops::RangeInclusive<u32>,
    ys: std::ops::Range<u32>,
) -> Vec<(u32, u32)> {
    xs.flat_map(|x| ys.clone().map(move |y| (x, y)))
        .filter(|&(x, y)| is_line(img.get_pixel(x, y)))
        .collect()
}

#[test]
fn ten_years_of_daily_means_pinned_at_capacity_are_never_drawn_above_it() {
    // 3,650 days (more than the chart's pixel columns): the mean jumps between 68 beds (the
    // capacity) and 63 every other day, drops to 26-30 beds for days 1,001-1,600, then
    // returns to capacity. The data never exceed 68 nor fall below 26.
    let rows: Vec<(u32, f64, f64, f64, f64)> = (1..=3650)
        .map(|d| {
            let mean = match (d, d % 2) {
                (1001..=1600, 0) => 30.0,
                (1001..=1600, _) => 26.0,
                (_, 0) => 68.0,
                _ => 63.0,
            };
            (d, 68.0, mean, mean - 6.0, mean)
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let img = chart_of(dir.path(), &rows);
    let f = Frame::of(&img, 3650.0);
    // Where the mean is far below, the topmost line is capacity's: its top row.
    let cap = f.top_ink(&img, f.x(1100.0)..=f.x(1500.0));
    let over = line_pixels(&img, f.x(1.0) + 1..=f.x(3650.0) - 1, f.top + 1..cap - 1);
    assert!(
        over.is_empty(),
        "{} pixels of the mean line above the capacity line (its top row is {cap}), e.g. {:?}",
        over.len(),
        &over[..over.len().min(10)]
    );
    // Nor below the lowest mean (26 beds), beyond a pixel or two of rounding; left of the
    // legend.
    let zero = f64::from(f.bottom);
    let row_26 = (zero - (zero - f64::from(cap)) * 26.0 / 68.0).round() as u32;
    let under = line_pixels(&img, f.x(1.0) + 1..=f.x(1700.0), row_26 + 3..f.bottom);
    assert!(
        under.is_empty(),
        "{} pixels of the mean line below its lowest value (row {row_26}), e.g. {:?}",
        under.len(),
        &under[..under.len().min(10)]
    );
}

#[test]
fn a_scheduled_capacity_change_is_a_step_on_its_day() {
    // 120 days; winter beds raise capacity from 20 to 26 on day 61. The mean is pinned at
    // capacity (alternating with 3 below) except around the change, where it is at 9-10.
    let rows: Vec<(u32, f64, f64, f64, f64)> = (1..=120)
        .map(|d| {
            let cap = if d <= 60 { 20.0 } else { 26.0 };
            let mean = match d {
                55..=66 => 10.0 - f64::from(d % 2),
                _ if d % 2 == 0 => cap,
                _ => cap - 3.0,
            };
            (d, cap, mean, mean - 3.0, mean)
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let img = chart_of(dir.path(), &rows);
    let f = Frame::of(&img, 120.0);
    let before = f.top_ink(&img, f.x(56.0) + 1..=f.x(59.0) - 1);
    let after = f.top_ink(&img, f.x(62.0) + 1..=f.x(65.0) - 1);
    assert!(
        after + 60 < before,
        "capacity 26 at row {after}, 20 at {before}"
    );
    let between = after + 4..before - 3;
    let ink_rows = |xs: std::ops::RangeInclusive<u32>| {
        between
            .clone()
            .filter(|&y| xs.clone().any(|x| is_ink(img.get_pixel(x, y))))
            .count()
    };
    // Straight up on day 61 (a dashed line: some 60% of the rise is drawn) ...
    let rise = ink_rows(f.x(61.0) - 2..=f.x(61.0) + 2);
    assert!(
        rise * 10 >= between.len() * 4,
        "no vertical capacity step on day 61: {rise} of {} rows drawn",
        between.len()
    );
    // ... and level, not sloping, from day 60 to day 61.
    let slope = ink_rows(f.x(60.0) + 3..=f.x(61.0) - 3);
    assert_eq!(
        slope, 0,
        "capacity slopes between days 60 and 61 ({slope} rows drawn)"
    );
    // The mean pinned at each capacity stays under it.
    for (days, cap) in [(1.0..=54.0, before), (67.0..=120.0, after)] {
        let over = line_pixels(
            &img,
            f.x(*days.start()) + 1..=f.x(*days.end()) - 1,
            f.top + 1..cap - 1,
        );
        assert!(
            over.is_empty(),
            "days {days:?}: {} pixels of the mean line above the capacity line (row {cap}), e.g. {:?}",
            over.len(),
            &over[..over.len().min(10)]
        );
    }
}
