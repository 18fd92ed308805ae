//! `caresim report`.

use caresim::Error;
use caresim::report;

use super::args::ReportArgs;

/// `caresim report`.
pub fn report(args: &ReportArgs) -> Result<(), Error> {
    super::check_results_folder(&args.dir)?;
    let (md, html) = report::write(&args.dir)?;
    outln!("{}\n{}", md.display(), html.display());
    Ok(())
}
