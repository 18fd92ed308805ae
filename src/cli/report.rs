//! `caresim report`.

use caresim::Error;
use caresim::report;

use super::args::ReportArgs;

/// `caresim report`.
pub fn report(args: &ReportArgs) -> Result<(), Error> {
    super::check_results_folder(&args.dir)?;
    // A folder made with --no-charts still has every table, so the report is made (refusing
    // would only add a step); the user is told how to add the charts.
    if !args.dir.join("charts").is_dir() {
        errln!(
            "note: {0} has no charts (it was made with --no-charts), so the report has none; to include them, run `caresim plot {0}`, then `caresim report {0}` again",
            args.dir.display()
        );
    }
    let (md, html) = report::write(&args.dir)?;
    outln!("{}\n{}", md.display(), html.display());
    Ok(())
}
