# Golden values for samples drawn by another tool (tests/estimate/test_foreign_inputs.py): a small
# county of 9 sampled villages in 3 strata (one stratum holding one village), registered households by
# SRS within village, one census group (SRS of the village's groups) in every other village, all its
# non-registered households surveyed. The same data estimated under the designs such a tool may give:
# stratified two-stage with fpc at every stage, stratified without fpc (ultimate cluster), one stratum,
# no strata at all. Run from this directory:  Rscript foreign_designs.R
# Writes foreign_data.csv (one row per registered household, census household and census-group total)
# and foreign_expected.csv (R 4.2 / survey 4.1.1).
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
set.seed(20190215)

sdef <- data.frame(stratum = c("poor_weak", "poor_other", "nonpoor"), N = c(20, 30, 40), n = c(4, 4, 1))
rows <- list()
k <- 0
for (h in seq_len(nrow(sdef))) {
  s <- sdef[h, ]
  for (v in seq_len(s$n)) {
    k <- k + 1
    vid <- sprintf("V%02d", k)
    M <- sample(30:60, 1)                       # registered households of the village frame
    m <- 8
    eff <- rnorm(1, 0, 1)
    persons <- sample(1:6, m, replace = TRUE)
    status <- ifelse(runif(m) < 0.85, "exited", "poor")
    wrong <- as.integer(runif(m) < plogis(-2.8 + eff) & status == "exited")
    approves <- ifelse(runif(m) < 0.05, NA, as.integer(runif(m) < 0.92))
    pv <- s$n / s$N
    rows[[length(rows) + 1]] <- data.frame(
      stratum = s$stratum, village = vid, kind = "registered", unit2 = sprintf("H%02d%02d", k, 1:m),
      unit3 = sprintf("H%02d%02d", k, 1:m), grp = "", status = status, persons = persons,
      wrong_persons = wrong * persons, missed_persons = 0, nonreg_pop = 0, approves = approves,
      pv = pv, pu = m / M, w = 1 / (pv * m / M), N1 = s$N, N2 = M, N3 = 1)
    if (k %% 2 == 1) {                          # a census group in every other village
      G <- sample(3:6, 1)
      nh <- sample(4:7, 1)
      gp <- sample(1:5, nh, replace = TRUE)
      missed <- as.integer(runif(nh) < plogis(-2.5 + eff))
      gapp <- ifelse(runif(nh) < 0.05, NA, as.integer(runif(nh) < 0.9))
      grp <- sprintf("G%02d", sample(1:G, 1))
      rows[[length(rows) + 1]] <- data.frame(
        stratum = s$stratum, village = vid, kind = "census", unit2 = grp,
        unit3 = sprintf("N%02d%02d", k, 1:nh), grp = grp, status = "", persons = gp, wrong_persons = 0,
        missed_persons = missed * gp, nonreg_pop = 0, approves = gapp,
        pv = pv, pu = 1 / G, w = G / pv, N1 = s$N, N2 = G, N3 = nh + 1)
      rows[[length(rows) + 1]] <- data.frame(
        stratum = s$stratum, village = vid, kind = "census", unit2 = grp, unit3 = paste0("#group-total:", grp),
        grp = grp, status = "total", persons = 0, wrong_persons = 0, missed_persons = sum(missed * gp),
        nonreg_pop = sum(gp) + sample(0:6, 1), approves = NA,
        pv = pv, pu = 1 / G, w = G / pv, N1 = s$N, N2 = G, N3 = nh + 1)
    }
  }
}
dat <- do.call(rbind, rows)
dat$exited <- as.integer(dat$kind == "registered" & dat$status == "exited")
dat$total <- as.integer(dat$status == "total")
dat$hh <- as.integer(dat$status != "total")
dat$one <- "all"
dat$ym <- dat$missed_persons * dat$total
write.csv(dat, "foreign_data.csv", row.names = FALSE)

U <- 1300; E <- 5200; A <- 60000; N <- A - U - E   # the registry totals of the fixture county
out <- list()
add <- function(case, statistic, estimate, se = NA, ci_low = NA, ci_high = NA, extra = NA) {
  out[[length(out) + 1]] <<- data.frame(case = case, statistic = statistic, estimate = as.numeric(estimate),
                                        se = as.numeric(se), ci_low = as.numeric(ci_low),
                                        ci_high = as.numeric(ci_high), extra = as.numeric(extra))
}
designs <- list(
  strata_fpc = function() svydesign(id = ~village + unit2 + unit3, strata = ~stratum + kind, fpc = ~N1 + N2 + N3,
                                    weights = ~w, data = dat),
  strata_nofpc = function() svydesign(id = ~village, strata = ~stratum, weights = ~w, data = dat),
  one_stratum = function() svydesign(id = ~village, strata = ~one, weights = ~w, data = dat),
  no_strata = function() svydesign(id = ~village, weights = ~w, data = dat)
)
for (case in names(designs)) {
  d <- designs[[case]]()
  dx <- subset(d, exited == 1)
  r1 <- svyratio(~wrong_persons, ~persons, dx, deff = TRUE)
  add(case, "wrongful_exit_rate", coef(r1), SE(r1), extra = deff(r1))
  add(case, "degf(exited)", degf(dx))
  dc <- subset(d, total == 1)
  r2 <- svyratio(~ym, ~nonreg_pop, dc, deff = TRUE)
  add(case, "missed_rate", coef(r2), SE(r2), extra = deff(r2))
  d2 <- update(d, y1 = wrong_persons * exited, x1 = persons * exited, y2 = ym, x2 = nonreg_pop * total)
  tt <- svytotal(~y1 + x1 + y2 + x2, d2)
  comp <- svycontrast(tt, list(p = bquote((.(U) + .(E) * y1 / x1 + .(N) * y2 / x2) / .(A))))
  add(case, "composite_incidence", coef(comp), SE(comp))
  da <- subset(d, hh == 1 & !is.na(approves))
  ma <- svymean(~approves, da, deff = TRUE)
  ci <- svyciprop(~approves, da, method = "beta")
  add(case, "approval_rate", coef(ma), SE(ma), confint(ci)[1], confint(ci)[2], extra = deff(ma))
}
res <- do.call(rbind, out)
write.csv(res, "foreign_expected.csv", row.names = FALSE)
