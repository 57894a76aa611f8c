# Golden values for cases the API data does not cover, in the shape of a povexit county sample:
# a stratified two-stage design (villages in strata; registered households and census groups inside
# sampled villages), ratios of persons, a domain, covariance of two ratios and the composite
# incidence (delta method), a stratum with one PSU under each lonely.psu rule, zero events, and a
# three-stage design with fpc. Run from this directory:  Rscript povexit_design.R
# Writes povexit_data.csv (the sample), povexit_persons.csv (person rows of exited households) and
# povexit_expected.csv (what R 4.2 / survey 4.1.1 gives), povexit_three_stage.csv and povexit_roster.csv
# (the combined 漏评率). tests/estimate/test_svy_golden_povexit.py and test_indicators.py read them.
suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
set.seed(20190601)

strata_def <- data.frame(stratum = c("poor_weak", "poor_other", "nonpoor_weak", "nonpoor_other"),
                         N = c(40, 60, 30, 70), n = c(8, 10, 5, 1))
rows <- list()
for (h in seq_len(nrow(strata_def))) {
  s <- strata_def[h, ]
  for (v in seq_len(s$n)) {
    vid <- sprintf("%s_v%02d", s$stratum, v)
    M <- sample(40:120, 1)                     # registered households in the village frame
    m <- 20                                    # sampled
    vill_effect <- rnorm(1, 0, 1)
    p_wrong <- plogis(-4.2 + vill_effect)
    persons <- sample(1:6, m, replace = TRUE)
    status <- ifelse(runif(m) < 0.85, "exited", "poor")
    wrong <- as.integer(runif(m) < p_wrong & status == "exited")
    approves <- as.integer(runif(m) < 0.93)
    rows[[length(rows) + 1]] <- data.frame(
      stratum = s$stratum, village = vid, kind = "registered", unit = sprintf("%s_h%02d", vid, 1:m),
      status = status, persons = persons, wrong_persons = wrong * persons, missed_persons = 0,
      nonreg_pop = 0, approves = approves, w = (s$N / s$n) * (M / m), fpc1 = s$N, fpc2 = M)
    if (v %% 2 == 1) {                         # a census group in every other sampled village
      G <- sample(3:8, 1)
      pop <- sample(80:400, 1)
      missed <- rpois(1, pop * 0.008 * exp(vill_effect / 2))
      rows[[length(rows) + 1]] <- data.frame(
        stratum = s$stratum, village = vid, kind = "census", unit = sprintf("%s_g1", vid),
        status = "", persons = 0, wrong_persons = 0, missed_persons = missed, nonreg_pop = pop,
        approves = NA, w = (s$N / s$n) * G, fpc1 = s$N, fpc2 = G)
    }
  }
}
dat <- do.call(rbind, rows)
dat$exited <- as.integer(dat$kind == "registered" & dat$status == "exited")
dat$census <- as.integer(dat$kind == "census")
write.csv(dat, "povexit_data.csv", row.names = FALSE)

out <- list()
add <- function(case, statistic, estimate, se = NA, ci_low = NA, ci_high = NA, ci_method = "", extra = NA) {
  out[[length(out) + 1]] <<- data.frame(case = case, statistic = statistic, estimate = as.numeric(estimate),
                                        se = as.numeric(se), ci_low = as.numeric(ci_low),
                                        ci_high = as.numeric(ci_high), ci_method = ci_method,
                                        extra = as.numeric(extra))
}
U <- 3200; E <- 21000; A <- 260000; N <- A - U - E     # registry totals for the composite

for (rule in c("adjust", "certainty", "remove", "average")) {
  options(survey.lonely.psu = rule)
  for (fpc in c("nofpc", "fpc")) {
    case <- paste(fpc, rule, sep = "_")
    d <- if (fpc == "fpc") {
      svydesign(id = ~village + unit, strata = ~stratum + kind, fpc = ~fpc1 + fpc2, weights = ~w, data = dat)
    } else {
      svydesign(id = ~village + unit, strata = ~stratum, weights = ~w, data = dat)
    }
    dx <- subset(d, exited == 1)
    r1 <- svyratio(~wrong_persons, ~persons, dx, deff = TRUE)
    add(case, "ratio(wrong/persons | exited)", coef(r1), SE(r1), extra = deff(r1))
    dc <- subset(d, census == 1)
    r2 <- svyratio(~missed_persons, ~nonreg_pop, dc, deff = TRUE)
    add(case, "ratio(missed/nonreg | census)", coef(r2), SE(r2), extra = deff(r2))
    add(case, "degf(exited)", degf(dx), NA)
    add(case, "degf(census)", degf(dc), NA)
    # joint linearisation: covariance of the two ratios and the composite incidence
    d2 <- update(d, y1 = wrong_persons * exited, x1 = persons * exited,
                 y2 = missed_persons * census, x2 = nonreg_pop * census)
    tt <- svytotal(~y1 + x1 + y2 + x2, d2)
    rr <- svycontrast(tt, list(r1 = quote(y1 / x1), r2 = quote(y2 / x2)))
    add(case, "cov(r1, r2)", vcov(rr)[1, 2], NA)
    comp <- svycontrast(tt, list(p = bquote((.(U) + .(E) * y1 / x1 + .(N) * y2 / x2) / .(A))))
    add(case, "composite", coef(comp), SE(comp))
    # approval among registered households: a domain mean with its deff and intervals
    dr <- subset(d, kind == "registered")
    ma <- svymean(~approves, dr, deff = TRUE)
    add(case, "mean(approves | registered)", coef(ma), SE(ma), extra = deff(ma))
    for (meth in c("beta", "logit", "likelihood", "mean")) {
      ci <- svyciprop(~approves, dr, method = meth)
      add(case, "prop(approves | registered)", coef(ci), SE(ci), confint(ci)[1], confint(ci)[2], meth)
    }
  }
}
options(survey.lonely.psu = "adjust")

# Person-level svyciprop of the wrongful-exit rate (households as the second stage): the ratio
# estimator of persons has exactly this linearisation; n for Korn-Graubard is persons.
hh <- dat[dat$exited == 1, ]
per <- hh[rep(seq_len(nrow(hh)), hh$persons), ]
per$wrong <- as.integer(per$wrong_persons > 0)
per$person <- sequence(hh$persons)
write.csv(per[, c("stratum", "village", "unit", "person", "w", "wrong")], "povexit_persons.csv", row.names = FALSE)
dp <- svydesign(id = ~village + unit, strata = ~stratum, weights = ~w, data = per)
for (meth in c("beta", "logit", "likelihood", "mean")) {
  ci <- svyciprop(~wrong, dp, method = meth)
  add("persons", "prop(wrong | exited persons)", coef(ci), SE(ci), confint(ci)[1], confint(ci)[2], meth)
}
add("persons", "nrow", nrow(dp), NA)
add("persons", "degf", degf(dp), NA)

# Zero events: R gives NaN for beta (n.eff = 0/0); povexit uses n* = n (NCHS) -> [0, upper].
per0 <- per; per0$wrong <- 0
dp0 <- svydesign(id = ~village + unit, strata = ~stratum, weights = ~w, data = per0)
ci0 <- svyciprop(~wrong, dp0, method = "beta")
add("zero", "prop(wrong) beta as R gives it", coef(ci0), SE(ci0), confint(ci0)[1], confint(ci0)[2], "beta")
nstar <- nrow(dp0) * (qt(0.025, nrow(dp0) - 1) / qt(0.025, degf(dp0)))^2
add("zero", "nchs upper", 0, 0, 0, qbeta(0.975, 1, nstar), "beta", nstar)

# A three-stage design with fpc at every stage: villages, census groups, households (census: f = 0).
set.seed(7)
h3 <- list()
for (h in 1:3) for (v in 1:4) for (g in 1:2) {
  nh <- sample(5:12, 1)
  h3[[length(h3) + 1]] <- data.frame(stratum = paste0("s", h), village = paste0("s", h, "v", v),
                                     grp = paste0("s", h, "v", v, "g", g), hh = paste0("s", h, "v", v, "g", g, "h", 1:nh),
                                     approves = as.integer(runif(nh) < 0.9), fpc1 = 10 + h, fpc2 = 5, fpc3 = nh)
}
d3 <- do.call(rbind, h3)
write.csv(d3, "povexit_three_stage.csv", row.names = FALSE)
des3 <- svydesign(id = ~village + grp + hh, strata = ~stratum, fpc = ~fpc1 + fpc2 + fpc3, data = d3)
m3 <- svymean(~approves, des3, deff = TRUE)
add("three_stage", "mean(approves)", coef(m3), SE(m3), extra = deff(m3))
t3 <- svytotal(~approves, des3)
add("three_stage", "total(approves)", coef(t3), SE(t3))

# 漏评率 from roster hits and census groups (the combined estimator): in each sampled village every
# roster hit (大数据比对) is visited (a certainty stratum) and the village's non-registered population
# is known; in some villages a census group (SRS of the village's G groups) is enumerated, its roster
# hits counted with the roster. Rows: village (x_v), roster hit (y_R), census household (y_C, not on
# a roster), census group (x_g). One certainty village (p = 1): its village row and roster hits are
# fixed (a self-representing stratum, fpc = their number); its two census groups are its PSUs.
# estimate = yR/xV + yC/xG by svycontrast (delta method = Taylor linearisation), with and without fpc.
set.seed(11)
rdef <- data.frame(stratum = c("poor_weak", "poor_other", "nonpoor"), N = c(30, 50, 80), n = c(5, 6, 4))
rr <- list()
for (h in seq_len(nrow(rdef))) {
  s <- rdef[h, ]
  for (v in seq_len(s$n)) {
    vid <- sprintf("%s_v%02d", s$stratum, v)
    cert <- h == 1 && v == 1
    pv <- if (cert) 1 else s$n / s$N
    xv <- sample(300:1500, 1)
    hits <- rpois(1, 6) + 1
    hot <- runif(1) < 0.3
    rp <- sample(1:5, hits, replace = TRUE)
    rmiss <- rbinom(hits, 1, if (hot) 0.3 else 0.03)
    G <- sample(3:8, 1)
    ng <- if (cert) 2 else as.integer(v %% 2 == 1)
    rr[[length(rr) + 1]] <- data.frame(stratum = s$stratum, village = vid, cert = cert, kind = "village",
      unit = paste0(vid, "_v"), hh = paste0(vid, "_v"), group = "", pv = pv, pu = 1, fpc1 = s$N, fpc2 = 1,
      yR = 0, yC = 0, xV = xv, xG = 0, persons = 0, approves = NA)
    rr[[length(rr) + 1]] <- data.frame(stratum = s$stratum, village = vid, cert = cert, kind = "roster",
      unit = sprintf("%s_r%02d", vid, seq_len(hits)), hh = sprintf("R%s_%02d", vid, seq_len(hits)),
      group = ifelse(seq_len(hits) == 1 & ng > 0, paste0(vid, "_g1"), ""), pv = pv, pu = 1, fpc1 = s$N,
      fpc2 = hits, yR = rp * rmiss, yC = 0, xV = 0, xG = 0, persons = rp,
      approves = as.integer(runif(hits) < ifelse(rmiss == 1, 0.5, 0.92)))
    for (g in seq_len(ng)) {
      gid <- paste0(vid, "_g", g)
      nh <- sample(15:40, 1)
      cp <- sample(1:6, nh, replace = TRUE)
      cm <- rbinom(nh, 1, 0.012)
      # the group's non-registered population: its households and the roster hit living there
      xg <- sum(cp) + (if (g == 1) rp[1] else 0)
      rr[[length(rr) + 1]] <- data.frame(stratum = s$stratum, village = vid, cert = cert, kind = "census",
        unit = gid, hh = sprintf("N%s_%02d", gid, seq_len(nh)), group = gid, pv = pv, pu = ng / G, fpc1 = s$N,
        fpc2 = G, yR = 0, yC = cp * cm, xV = 0, xG = 0, persons = cp,
        approves = as.integer(runif(nh) < ifelse(cm == 1, 0.5, 0.93)))
      rr[[length(rr) + 1]] <- data.frame(stratum = s$stratum, village = vid, cert = cert, kind = "census",
        unit = gid, hh = paste0("#group-total:", gid), group = gid, pv = pv, pu = ng / G, fpc1 = s$N, fpc2 = G,
        yR = 0, yC = 0, xV = 0, xG = xg, persons = 0, approves = NA)
    }
  }
}
rr <- do.call(rbind, rr)
rr$w <- 1 / (rr$pv * rr$pu)
rr$fixed <- rr$cert & rr$kind %in% c("village", "roster")
rr$s1 <- ifelse(rr$fixed, "fixed", ifelse(rr$cert, paste0("cert|", rr$village, "|", rr$kind), rr$stratum))
rr$id1 <- ifelse(rr$cert, paste0(rr$village, "|", rr$unit), rr$village)
rr$f1 <- ifelse(rr$fixed, sum(rr$fixed), ifelse(rr$cert, rr$fpc2, rr$fpc1))
rr$id2 <- ifelse(rr$cert, rr$hh, rr$unit)
rr$f2 <- ifelse(rr$cert, ave(rep(1, nrow(rr)), rr$village, rr$kind, rr$unit, FUN = sum), rr$fpc2)
rr$hhrow <- as.integer(!(rr$kind == "village" | grepl("^#group-total", rr$hh)))
write.csv(rr, "povexit_roster.csv", row.names = FALSE)
options(survey.lonely.psu = "adjust")
for (fpc in c("nofpc", "fpc")) {
  case <- paste0("roster_", fpc)
  d <- if (fpc == "fpc") {
    svydesign(id = ~id1 + id2, strata = ~s1 + kind, fpc = ~f1 + f2, weights = ~w, data = rr)
  } else {
    svydesign(id = ~id1, strata = ~s1, fpc = ~ifelse(fixed, f1, Inf), weights = ~w, data = rr)
  }
  tt <- svytotal(~yR + xV + yC + xG, d)
  cc <- svycontrast(tt, list(m = quote(yR / xV + yC / xG), rR = quote(yR / xV), rC = quote(yC / xG)))
  add(case, "missed (roster + census)", coef(cc)["m"], sqrt(vcov(cc)["m", "m"]))
  add(case, "roster part", coef(cc)["rR"], sqrt(vcov(cc)["rR", "rR"]))
  add(case, "census part", coef(cc)["rC"], sqrt(vcov(cc)["rC", "rC"]))
  add(case, "cov(roster, census)", vcov(cc)["rR", "rC"], NA)
  dh <- subset(d, hhrow == 1)
  ma <- svymean(~approves, dh, na.rm = TRUE)
  add(case, "mean(approves | households)", coef(ma), SE(ma))
}

res <- do.call(rbind, out)
write.csv(res, "povexit_expected.csv", row.names = FALSE)
print(res, digits = 10)
cat("R", R.version.string, "survey", as.character(packageVersion("survey")), "\n")
