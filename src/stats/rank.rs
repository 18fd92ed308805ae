//! Rank correlations for probabilistic sensitivity analysis: which sampled inputs a result
//! moves with. Spearman's rank correlation (one input at a time) and the partial rank
//! correlation coefficient (PRCC: each input with the others held fixed, Marino et al.
//! 2008, J Theor Biol 254:178), both on ranks so that any monotone relation counts fully.

/// The ranks of `v` (1 = smallest), ties given their average rank.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = rank;
        }
        i = j + 1;
    }
    out
}

/// Pearson's correlation of `x` and `y`; `None` when either is constant or they differ in
/// length.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Spearman's rank correlation of `x` and `y` (Pearson's on their ranks); `None` when
/// either is constant or they differ in length.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    pearson(&ranks(x), &ranks(y))
}

/// The partial rank correlation of each input in `inputs` with `output`, the other inputs
/// held fixed: from the inverse `P` of the rank correlation matrix of (inputs, output),
/// `−P[i][o] / √(P[i][i]·P[o][o])`. `None` when the columns differ in length, there are
/// fewer than `inputs.len() + 3` observations (no degrees of freedom left), a column is
/// constant, or the ranks are collinear (one input a function of the others).
pub fn partial_rank_correlations(inputs: &[&[f64]], output: &[f64]) -> Option<Vec<f64>> {
    let n = output.len();
    let k = inputs.len();
    if k == 0 || n < k + 3 || inputs.iter().any(|x| x.len() != n) {
        return None;
    }
    let columns: Vec<Vec<f64>> = inputs
        .iter()
        .map(|x| ranks(x))
        .chain(std::iter::once(ranks(output)))
        .collect();
    let m = k + 1;
    let mut c = vec![vec![0.0; m]; m];
    for i in 0..m {
        c[i][i] = 1.0;
        for j in 0..i {
            let r = pearson(&columns[i], &columns[j])?;
            c[i][j] = r;
            c[j][i] = r;
        }
    }
    let p = invert(c)?;
    (0..k)
        .map(|i| {
            let d = p[i][i] * p[k][k];
            (d > 0.0).then(|| (-p[i][k] / d.sqrt()).clamp(-1.0, 1.0))
        })
        .collect()
}

/// The inverse of the square matrix `a` by Gauss–Jordan elimination with partial pivoting;
/// `None` when it is (numerically) singular. For the few inputs of a sensitivity analysis
/// (a matrix of order ~10), so a linear-algebra crate would be out of proportion.
fn invert(mut a: Vec<Vec<f64>>) -> Option<Vec<Vec<f64>>> {
    let m = a.len();
    let mut inv: Vec<Vec<f64>> = (0..m)
        .map(|i| (0..m).map(|j| if i == j { 1.0 } else { 0.0 }).collect())
        .collect();
    for col in 0..m {
        let pivot = (col..m).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))?;
        // Correlation matrices have a unit diagonal: a pivot this small means the columns
        // are (nearly) linearly dependent.
        if a[pivot][col].abs() < 1e-10 {
            return None;
        }
        a.swap(col, pivot);
        inv.swap(col, pivot);
        let d = a[col][col];
        for j in 0..m {
            a[col][j] /= d;
            inv[col][j] /= d;
        }
        for row in 0..m {
            if row != col {
                let f = a[row][col];
                if f != 0.0 {
                    for j in 0..m {
                        a[row][j] -= f * a[col][j];
                        inv[row][j] -= f * inv[col][j];
                    }
                }
            }
        }
    }
    Some(inv)
}

/// The size below which a rank correlation over `n` observations with `controls` inputs
/// held fixed is within sampling noise at the 5% level (two-sided; the normal
/// approximation 1.96/√(n − 1 − controls)); `None` with too few observations.
pub fn noise_threshold(n: usize, controls: usize) -> Option<f64> {
    let df = n.checked_sub(1 + controls)?;
    (df > 0).then(|| 1.96 / (df as f64).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};
    use rand_pcg::Pcg64Mcg;

    #[test]
    fn spearman_is_one_for_any_increasing_relation_and_handles_ties() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let up = [1.0, 8.0, 27.0, 64.0, 125.0];
        let down = [5.0, 4.0, 3.0, 2.0, 1.0];
        assert!((spearman(&x, &up).unwrap() - 1.0).abs() < 1e-12);
        assert!((spearman(&x, &down).unwrap() + 1.0).abs() < 1e-12);
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0]);
        assert!(spearman(&x, &[2.0; 5]).is_none());
        // A known value: x = 1..5, y = 2,1,4,3,5 → 1 − 6·4/(5·24) = 0.8.
        assert!((spearman(&x, &[2.0, 1.0, 4.0, 3.0, 5.0]).unwrap() - 0.8).abs() < 1e-12);
    }

    fn draws(seed: u64, n: usize) -> Vec<f64> {
        let mut rng = Pcg64Mcg::seed_from_u64(seed);
        (0..n).map(|_| rng.random::<f64>()).collect()
    }

    /// With two inputs, the PRCC is the first-order partial correlation of the ranks,
    /// (r_xy − r_xz·r_yz) / √((1 − r_xz²)(1 − r_yz²)).
    #[test]
    fn prcc_of_two_inputs_is_the_textbook_partial_correlation() {
        let x = draws(1, 40);
        let z = draws(2, 40);
        let noise = draws(3, 40);
        let y: Vec<f64> = (0..40).map(|i| x[i] + 0.5 * z[i] + noise[i]).collect();
        let (rxy, rzy, rxz) = (
            spearman(&x, &y).unwrap(),
            spearman(&z, &y).unwrap(),
            spearman(&x, &z).unwrap(),
        );
        let want_x = (rxy - rxz * rzy) / ((1.0 - rxz * rxz) * (1.0 - rzy * rzy)).sqrt();
        let want_z = (rzy - rxz * rxy) / ((1.0 - rxz * rxz) * (1.0 - rxy * rxy)).sqrt();
        let got = partial_rank_correlations(&[&x, &z], &y).unwrap();
        assert!((got[0] - want_x).abs() < 1e-12, "{got:?} vs {want_x}");
        assert!((got[1] - want_z).abs() < 1e-12, "{got:?} vs {want_z}");
    }

    /// An input that only shadows another (drawn with it) correlates strongly with the
    /// result one at a time, but not with the other held fixed: the reason to show PRCC.
    #[test]
    fn prcc_gives_no_credit_to_an_input_that_only_shadows_another() {
        let n = 200;
        let driver = draws(4, n);
        let jitter = draws(5, n);
        let other = draws(6, n);
        let shadow: Vec<f64> = (0..n).map(|i| driver[i] + 0.1 * jitter[i]).collect();
        let noise = draws(7, n);
        let y: Vec<f64> = (0..n).map(|i| driver[i] + 0.05 * noise[i]).collect();
        assert!(spearman(&shadow, &y).unwrap() > 0.9);
        let p = partial_rank_correlations(&[&driver, &shadow, &other], &y).unwrap();
        assert!(p[0] > 0.8, "{p:?}");
        assert!(p[1].abs() < noise_threshold(n, 2).unwrap(), "{p:?}");
        assert!(p[2].abs() < noise_threshold(n, 2).unwrap(), "{p:?}");
    }

    #[test]
    fn prcc_refuses_what_it_cannot_estimate() {
        let x = draws(8, 10);
        let y = draws(9, 10);
        // Fewer observations than inputs + 3.
        assert!(partial_rank_correlations(&[&x[..4], &y[..4]], &x[..4]).is_none());
        // A constant input, and an input that is another's copy (collinear ranks).
        assert!(partial_rank_correlations(&[&x, &[1.0; 10]], &y).is_none());
        assert!(partial_rank_correlations(&[&x, &x], &y).is_none());
        assert!(partial_rank_correlations(&[], &y).is_none());
        assert_eq!(noise_threshold(2, 1), None);
        assert!((noise_threshold(101, 0).unwrap() - 0.196).abs() < 1e-12);
    }
}
