// Studies, the SLURM room: one sbatch job array per stage, the comparison job and submit.sh.
#include "pipeline/study.h"

#include "common/error.h"
#include "common/fsutil.h"
#include "pipeline/study_internal.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace repalign {

// ---- SLURM ---------------------------------------------------------------------------------

namespace {

std::string shellQuote(const std::string& s)
{
    if (!s.empty()
        && s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-+/:=@%,") == std::string::npos)
        return s;
    std::string o = "'";
    for (char c : s)
        o += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return o + "'";
}

/// A train or tune condition: it may be data-parallel (one rank per task).
bool mayBeParallel(StudyStage stage)
{
    return stage == StudyStage::Train || stage == StudyStage::Tune;
}

/// @p parallel: the job's conditions may be data-parallel (train and tune; not the analyses and
/// the comparison, which are one process).
std::string sbatchHeader(const StudyPlan& plan, const SlurmOptions& o, const std::string& job, int arraySize, bool parallel)
{
    std::ostringstream s;
    s << "#!/bin/bash\n";
    s << "#SBATCH --job-name=" << study_detail::sanitize(plan.name) << "-" << job << "\n";
    if (arraySize > 0) {
        s << "#SBATCH --array=0-" << arraySize - 1;
        if (o.maxParallel > 0)
            s << "%" << o.maxParallel;
        s << "\n#SBATCH --output=" << plan.studyDir << "/logs/slurm-" << job << "-%A_%a.out\n";
    } else {
        s << "#SBATCH --output=" << plan.studyDir << "/logs/slurm-" << job << "-%j.out\n";
    }
    s << "#SBATCH --time=" << o.time << "\n";
    if (!o.partition.empty())
        s << "#SBATCH --partition=" << o.partition << "\n";
    if (!o.account.empty())
        s << "#SBATCH --account=" << o.account << "\n";
    if (parallel && o.nodes > 0)
        s << "#SBATCH --nodes=" << o.nodes << "\n";
    if (parallel && o.tasksPerNode > 0)
        s << "#SBATCH --ntasks-per-node=" << o.tasksPerNode << "\n";
    else
        s << "#SBATCH --ntasks=1\n";
    if (o.cpusPerTask > 0)
        s << "#SBATCH --cpus-per-task=" << o.cpusPerTask << "\n";
    if (o.gpusPerTask > 0 && arraySize > 0)
        s << "#SBATCH --gpus-per-task=" << o.gpusPerTask << "\n";
    if (!o.memory.empty())
        s << "#SBATCH --mem=" << o.memory << "\n";
    s << "set -euo pipefail\ncd " << shellQuote(plan.baseDir) << "\n";
    return s.str();
}

} // namespace

std::vector<std::string> exportSlurm(const StudyPlan& plan, const SlurmOptions& o)
{
    if (o.executable.empty())
        throw Error("study export-slurm: the path of repalign-cli on the cluster is empty");
    writeStudyFolder(plan);
    const std::string dir = plan.studyDir + "/slurm";
    makeDirs(dir);
    std::vector<std::string> written;
    std::vector<std::string> stages;
    for (StudyStage st : studyStages()) {
        const auto runs = plan.stage(st);
        if (runs.empty())
            continue;
        const std::string stage = toString(st);
        std::ostringstream s;
        s << sbatchHeader(plan, o, stage, static_cast<int>(runs.size()), mayBeParallel(st));
        s << "# " << runs.size() << " " << stage << " conditions; the array task id chooses one\nRUNS=(";
        for (const StudyRun* r : runs)
            s << "\n  " << shellQuote(r->name);
        s << "\n)\n";
        const int tasks = std::max(1, o.nodes) * std::max(1, o.tasksPerNode);
        if (tasks > 1 && mayBeParallel(st)) {
            // One rank per task: each task's `study exec` starts its rank of a data-parallel run
            // (the child reads SLURM_PROCID, SLURM_STEP_NUM_TASKS and SLURM_JOB_NODELIST; rank 0
            // alone writes the run folder). A rank that fails ends the step.
            s << "# " << tasks << " tasks per condition: the ranks of one data-parallel run (rank 0 writes the run)\n";
            s << "exec srun --kill-on-bad-exit=1 " << shellQuote(o.executable) << " study exec " << shellQuote(plan.studyDir)
              << " \"${RUNS[$SLURM_ARRAY_TASK_ID]}\" --threads \"${SLURM_CPUS_PER_TASK:-0}\"\n";
        } else {
            s << "exec " << shellQuote(o.executable) << " study exec " << shellQuote(plan.studyDir)
              << " \"${RUNS[$SLURM_ARRAY_TASK_ID]}\" --threads \"${SLURM_CPUS_PER_TASK:-0}\"\n";
        }
        const std::string path = dir + "/" + stage + ".sbatch";
        writeFileAtomic(path, s.str());
        fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
        written.push_back(path);
        stages.push_back(stage);
    }
    {
        std::ostringstream s;
        s << sbatchHeader(plan, o, "compare", 0, false);
        s << "exec " << shellQuote(o.executable) << " study compare " << shellQuote(plan.studyDir) << " --metric " << plan.metric
          << "\n";
        const std::string path = dir + "/compare.sbatch";
        writeFileAtomic(path, s.str());
        written.push_back(path);
        stages.push_back("compare");
    }
    std::ostringstream s;
    s << "#!/bin/bash\n# Submits the study " << plan.name
      << ": one job array per stage, each starting when the previous one finished without error.\n"
      << "set -euo pipefail\nD=" << shellQuote(dir) << "\nprev=\"\"\n";
    for (const auto& stage : stages) {
        s << "if [ -n \"$prev\" ]; then dep=(--dependency=afterok:$prev); else dep=(); fi\n";
        s << stage << "=$(sbatch --parsable \"${dep[@]}\" \"$D/" << stage << ".sbatch\")\n";
        s << stage << "=${" << stage << "%%;*}\nprev=$" << stage << "\necho \"" << stage << ": job $" << stage << "\"\n";
    }
    const std::string submit = dir + "/submit.sh";
    writeFileAtomic(submit, s.str());
    fs::permissions(submit,
        fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
    written.push_back(submit);
    return written;
}
} // namespace repalign
