// repalign-cli psych: human psychophysics of units (plan -> export -> run -> import), and the
// simulated LPIPS observer.
#include "cli/command.h"
#include "cli/job_options.h"
#include "psych/psych_jobs.h"

#include <cmath>
#include <cstdio>
#include <memory>

namespace repalign::cli {
namespace {

struct Args {
    psych::PlanOptions plan;
    psych::ExportOptions exp;
    std::string format = "jspsych";
    psych::SimulateOptions sim;
    psych::ImportOptions imp;
    bool quiet = false;
};

CommandRegistrar reg(62, [](CLI::App& app) {
    auto a = std::make_shared<Args>();
    auto* psych = app.add_subcommand("psych",
        "Human psychophysics of units: a 2-AFC experiment from two analyses (plan), a web experiment (export), "
        "a simulated LPIPS observer (simulate) and the human-vs-II statistics (import)");
    psych->require_subcommand(1);

    auto* plan = psych->add_subcommand("plan",
        "Build the experiment: per unit k maximally and k minimally activating references and two held-out queries "
        "(rank k+1 of each side); models blinded and interleaved; catch and practice trials");
    plan->add_option("--analysis", a->plan.analyses, "Analysis .h5 (give two or more; repeatable)")->required();
    plan->add_option("--units", a->plan.units, "Units per model (a seeded random sample)")->capture_default_str();
    plan->add_option("--k", a->plan.k, "References per side (0 = the analyses' k)")->capture_default_str();
    plan->add_option("--catch", a->plan.catchTrials, "Catch trials (-1 = 10% of the main trials, at least 2)")
        ->capture_default_str();
    plan->add_option("--practice", a->plan.practiceTrials, "Practice trials with feedback")->capture_default_str();
    plan->add_option("--catch-threshold", a->plan.catchThreshold, "Exclude participants below this catch accuracy")
        ->capture_default_str();
    plan->add_option("--seed", a->plan.seed, "Seed of the unit sample, blinding and every participant's order (0..4294967295)")
        ->capture_default_str();
    plan->add_option("--data", a->plan.data, "Data spec to read the images from (default: the analyses' own)");
    plan->add_option("--out", a->plan.outDir, "Experiment folder to write (plan.json, img/)")->required();
    plan->add_flag("--force", a->plan.force, "Replace an existing experiment in --out");
    plan->add_flag("--quiet", a->quiet, "No progress output");
    plan->callback([a] {
        psych::PlanResult r;
        if (!runCancellable("psych plan", a->quiet, "no plan.json written",
                [&](ProgressSink& sink, const CancelToken& cancel) { r = psych::buildPlan(a->plan, sink, cancel); }))
            return;
        for (const std::string& n : r.notes)
            std::printf("note: %s\n", n.c_str());
        int counts[3] = {0, 0, 0};
        for (const auto& t : r.plan.trials)
            ++counts[static_cast<int>(t.kind)];
        std::printf("plan %s/plan.json: %d main, %d catch, %d practice trials; k = %d; %lld images; seed %llu\n",
            r.plan.dir.c_str(), counts[1], counts[2], counts[0], r.plan.k, static_cast<long long>(r.images),
            static_cast<unsigned long long>(r.plan.seed));
        for (const auto& m : r.plan.models)
            std::printf("  model %s = %s (%s, %s)\n", m.label.c_str(), m.analysis.c_str(), m.model.c_str(), m.layer.c_str());
    });

    auto* exp = psych->add_subcommand("export", "Write the web experiment: a jsPsych folder (runs offline) or a JATOS .jzip");
    exp->add_option("DIR", a->exp.experimentDir, "Experiment folder (from psych plan)")->required();
    exp->add_option("--format", a->format, "jspsych | jatos")->capture_default_str();
    exp->add_option("--out", a->exp.out, "Folder (jspsych; default DIR/web) or .jzip (jatos; default DIR/<name>.jzip)");
    exp->add_option("--title", a->exp.title, "Title shown to participants")->capture_default_str();
    exp->add_flag("--force", a->exp.force, "Replace an existing export");
    exp->callback([a] {
        a->exp.format = psych::parseExportFormat(a->format);
        const std::string out = psych::exportExperiment(a->exp);
        if (a->exp.format == psych::ExportFormat::JsPsych)
            std::printf("jsPsych experiment %s: open %s/index.html?participant=ID in a browser\n", out.c_str(), out.c_str());
        else
            std::printf("JATOS study archive %s: import it in JATOS (Studies > Import study)\n", out.c_str());
    });

    auto* sim = psych->add_subcommand("simulate",
        "SIMULATED participants: a model observer answering from LPIPS distances between queries and references, "
        "with Gaussian decision noise (the machine-proxy baseline)");
    sim->add_option("DIR", a->sim.experimentDir, "Experiment folder (from psych plan)")->required();
    sim->add_option("--participants", a->sim.participants, "Simulated participants")->capture_default_str();
    sim->add_option("--noise", a->sim.noise, "SD of the decision noise in LPIPS units (0 = the deterministic rule)")
        ->capture_default_str();
    sim->add_option("--seed", a->sim.seed, "Seed of the noise")->capture_default_str();
    sim->add_option("--lpips-weights", a->sim.lpipsWeights,
        "FILE,FILE or a folder (alexnet-owt-7be5be79.pth + alex.pth); default: search; random:SEED = uncalibrated");
    sim->add_option("--device", a->sim.device, "cpu | cuda | cuda:N")->capture_default_str();
    sim->add_option("--out", a->sim.out, "Responses CSV to write")->required();
    sim->add_flag("--quiet", a->quiet, "No progress output");
    sim->callback([a] {
        psych::SimulateResult r;
        if (!runCancellable("psych simulate", a->quiet, "no file written",
                [&](ProgressSink& sink, const CancelToken& cancel) { r = psych::simulateObservers(a->sim, sink, cancel); }))
            return;
        std::printf("SIMULATED observer (noise %g, LPIPS %s): %lld responses, main-trial accuracy %.4f -> %s\n", a->sim.noise,
            r.lpipsWeights.c_str(), static_cast<long long>(r.responses), r.accuracy, a->sim.out.c_str());
    });

    auto* imp = psych->add_subcommand("import",
        "Read results (jsPsych CSV/JSON, JATOS export .zip/.txt, in-app runner or simulate CSV), exclude by catch trials, "
        "and compute per-unit and per-model accuracy and their Spearman correlation with II-LPIPS / II-color");
    imp->add_option("DIR", a->imp.experimentDir, "Experiment folder (from psych plan)")->required();
    imp->add_option("--results", a->imp.results, "Result files (repeatable)")->required();
    imp->add_option("--catch-threshold", a->imp.catchThreshold, "Override the plan's exclusion threshold (0..1)");
    imp->add_option("--resamples", a->imp.resamples, "Bootstrap resamples / Monte-Carlo permutations")->capture_default_str();
    imp->add_option("--seed", a->imp.seed, "Seed of the resampling")->capture_default_str();
    imp->add_option("--out", a->imp.out, "Summary .h5 to write (/psych) and <stem>_units.csv beside it");
    imp->callback([a] {
        const psych::ImportResult r = psych::importResults(a->imp);
        for (const std::string& n : r.notes)
            std::printf("note: %s\n", n.c_str());
        std::printf("\n%s", psych::summaryText(r.summary).c_str());
        if (!a->imp.out.empty())
            std::printf("\nwrote %s (/psych) and %s\n", a->imp.out.c_str(), r.unitsCsv.c_str());
    });
});

} // namespace
} // namespace repalign::cli
