//! `caresim report`.

use caresim::chart::ChartError;
use caresim::report::{self, ReportError};

use super::Failure;
use super::args::ReportArgs;

/// `caresim report`.
pub fn report(args: &ReportArgs) -> Result<(), Failure> {
    super::check_results_folder(&args.dir)?;
    let (md, html) = report::write(&args.dir).map_err(|e| match e {
        ReportError::Chart(ChartError::NotResults(_) | ChartError::Data { .. }) => {
            Failure::Input(e.into())
        }
        e => Failure::Run(e.into()),
    })?;
    outln!("{}\n{}", md.display(), html.display());
    Ok(())
}
