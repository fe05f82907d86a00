"""Means with 95% confidence intervals, for the final report.

The interval is Student's t: mean +- t(0.975, n-1) * sd / sqrt(n), with the
sample standard deviation. For paired runs (same seed, different policy) the
interval is that of the per-seed differences, which removes the variation
the seeds share (initial weights, data order).
"""
import math

# t(0.975, df) for df = 1..30 (Student's t quantiles, 4 decimals).
_T975 = (12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
         2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
         2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423)
_Z975 = 1.959963984540054


def t975(df):
    """The 97.5% quantile of Student's t with `df` degrees of freedom."""
    if df < 1:
        raise ValueError('degrees of freedom must be >= 1, got %r' % (df,))
    if df <= len(_T975):
        return _T975[df - 1]
    # Cornish-Fisher expansion about the normal quantile: below 2e-6 off
    # for df > 30.
    z = _Z975
    return (z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)
            + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3))


class Interval:
    """mean, half-width of the 95% interval (None for a single value) and n."""

    def __init__(self, values):
        values = [float(v) for v in values]
        if not values:
            raise ValueError('an interval needs at least one value')
        self.n = len(values)
        self.mean = sum(values) / self.n
        if self.n > 1:
            variance = sum((v - self.mean) ** 2 for v in values) / (self.n - 1)
            self.half_width = t975(self.n - 1) * math.sqrt(variance / self.n)
        else:
            self.half_width = None

    @property
    def low(self):
        return self.mean - (self.half_width or 0.0)

    @property
    def high(self):
        return self.mean + (self.half_width or 0.0)

    def excludes_zero(self):
        """True when the whole interval lies on one side of 0 (a single value
        has no interval and supports no claim)."""
        return self.half_width is not None and (self.low > 0 or self.high < 0)

    def format(self, scale=100.0, signed=False):
        sign = '+' if signed else ''
        mean = ('%' + sign + '.2f') % (self.mean * scale)
        if self.half_width is None:
            return '%s (1 run, no interval)' % mean
        return '%s +- %.2f' % (mean, self.half_width * scale)


def paired(values_a, values_b):
    """The interval of a - b over pairs (same seeds, in the same order)."""
    if len(values_a) != len(values_b):
        raise ValueError('paired values need equal counts, got %d and %d'
                         % (len(values_a), len(values_b)))
    return Interval([a - b for a, b in zip(values_a, values_b)])
