<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>QObject</name>
    <message>
        <source>Train %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 epochs, val acc %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fine-tune %1 on %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 epochs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, %1 median r %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, val acc %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analyse %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 units, II-LPIPS %2 ± %3%4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (uncalibrated LPIPS)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Demo pipeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>act %1
#%2 · %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::AnalysisFormPanel</name>
    <message>
        <source>Model and data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analysis name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Written as analysis/&lt;name&gt;.h5 in the checkpoint&apos;s run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>checkpoint (.pt / .pth)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkpoint:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkpoints (*.pt *.pth);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from the checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Split:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max images:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use only the first N images (0 = all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Units and MEIs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The model&apos;s taps, in forward order</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aggregation:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>center = element [H/2, W/2] (the reference); flatten keeps every element</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MEIs per unit (k):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Also keep the k least exciting images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Interpretability Index</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>search the usual places (empty) or random:SEED</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LPIPS weights:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PyTorch weights (*.pth *.pt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AlexNet + LPIPS v0.1 linear layers; random:SEED gives an uncalibrated LPIPS (marked everywhere)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>as is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LPIPS input side:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MEIs are resized to this side first (reference: 32 → 64)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>exclude (pairs i&lt;j)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>include (reference numbers)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>II convention:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>include averages the full k×k matrix with its zero diagonal, as the reference code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all cores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;name&apos; must be a file name (not empty, no &apos;/&apos;, not starting with &apos;.&apos;)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::ConfigForm</name>
    <message>
        <source>Choose a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::DistributionsView</name>
    <message>
        <source>%1 distribution</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Density</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 per unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>units (n=%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick two or more analyses; the first two make the paired scatter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Violin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Box</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy as Markdown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy as LaTeX</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export page…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tick two or more analyses to compare them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analyses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Plot:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::Figure</name>
    <message>
        <source>Talk slide 16:9 (10 × 5.6 in)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paper, one column (3.5 in)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paper, two columns (7 in)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::FigureDialog</name>
    <message>
        <source>Export figure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> dpi</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolution of PNG files; SVG and PDF are vector graphics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PNG resolution:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PDF (*.pdf);;SVG (*.svg);;PNG (*.png)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::ImportNsdDialog</name>
    <message>
        <source>Import brain data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>source folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comma-separated ROI names (seed-npy: empty = all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> px</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ROIs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Image size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bundle to write:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Source folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the source folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The source folder does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bundle file should end in .h5.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import %1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 images; %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::JobDock</name>
    <message>
        <source>Jobs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the selected job (or the running one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 %3</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::JobQueueModel</name>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>diverged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled before it started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::JobWorker</name>
    <message>
        <source>Cancelled before it started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::MainWindow</name>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RepAlign Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Setup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monitor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Neurons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Distributions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;This project is empty.&lt;/b&gt; Run the demo pipeline to see the whole study on small built-in data: a baseline, neural fine-tuning, the analysis of both models and their comparison. Every step shows up here as it runs.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run demo pipeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2. %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;New project…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open project…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;run…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import &amp;NSD…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import PyTorch &amp;checkpoint…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export figure…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train &amp;baseline…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Fine-tune…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Analyze…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run &amp;demo pipeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel &amp;job</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Setup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Monitor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Neurons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Distributions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The language changes after a restart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Documentation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About RepAlign Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 — RepAlign Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Project %1: %n run(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Fine-tune from this checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analyse this checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open in Neurons</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare with the open analysis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show in Monitor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · epoch %1/%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · loss %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · acc %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · ETA %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Jobs are running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A job is still running. Stop it and quit? The run keeps its last checkpoint and can be resumed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping the running job…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New project: choose or create an empty folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 is not a run directory (no run.yaml, status.json or metrics.csv).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open a project first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Import PyTorch checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>PyTorch files (*.pt *.pth *.ckpt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Imported %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export figure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no plot to export yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch to Monitor, Neurons or Distributions to export a figure.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About RepAlign Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;RepAlign Workbench %1&lt;/h3&gt;&lt;p&gt;Does tuning an image model to predict brain activity make its units more interpretable? Train a baseline, fine-tune it on fMRI responses, find each unit&apos;s maximally exciting images and compare their Interpretability Index.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Libraries&lt;/b&gt;&lt;br&gt;%2&lt;br&gt;Qt %3&lt;br&gt;QCustomPlot 2.1&lt;/p&gt;&lt;p&gt;&lt;b&gt;Device&lt;/b&gt;&lt;br&gt;%4&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Documentation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The README was not found next to the program. Run repalign-cli --help for the command reference.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::MeiGridView</name>
    <message>
        <source>Select a unit</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::MetricPlot</name>
    <message>
        <source>Reset view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::MonitorView</name>
    <message>
        <source>Loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Prediction loss (MSE)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Distillation loss (KL)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Predictivity (r)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wall time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>X axis:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wall time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>What the horizontal axis counts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exponential moving average weight (debiased); the raw curve stays faint behind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Log y</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag to pan, wheel to zoom, double-click to reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs overlaid in the plots; untick to hide, select runs in the project to add them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No metrics yet.
Select a run in the project, or launch one from Setup.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::NeuronModel</name>
    <message>
        <source>Unit %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit %1
II-LPIPS %2, II-color %3, II-label %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>II-LPIPS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>II-color</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>II-label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top activation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MEIs</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::NeuronsView</name>
    <message>
        <source>unit, &gt;0.3, &lt;0.2 or 0.2-0.4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit numbers containing the text, or a range of the chosen metric</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>II-LPIPS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>II-color</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>II-label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Top activation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Grid</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export MEIs…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analysis:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No analysis open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pairwise LPIPS</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>MEI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>II-LPIPS by AlexNet layer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LPIPS part</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a filter: type a unit number, &gt;0.3, &lt;0.2 or 0.2-0.4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 units</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no analyses in the project yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot open the analysis: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 units of %3 %4, k = %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Uncalibrated LPIPS.&lt;/b&gt; %1 used random LPIPS weights (%2): II-LPIPS values show the pipeline working but are not comparable with the reference study. Install the LPIPS v0.1 AlexNet weights and analyse again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go to unit %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unit %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;: II-LPIPS %2 · II-color %3 · II-label %4 · top activation %5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pairwise LPIPS · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pairwise LPIPS: not stored in this file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>folder with data_batch_1.bin … test_batch.bin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>How often runs written elsewhere are re-read (file changes are also watched)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The language changes after a restart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CIFAR-10 folder:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Poll interval:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CIFAR-10 folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::ProjectModel</name>
    <message>
        <source>Project</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1
State: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> (%1 %)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analyses</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::SetupPanel</name>
    <message>
        <source>Baseline training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Neural fine-tuning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Launch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queue this as a job (Ctrl+Return)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load YAML…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save YAML…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export for cluster…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writes the YAML and an sbatch script that runs repalign-cli with it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ready. Runs are written to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>(no project open)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot launch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save YAML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YAML (*.yaml *.yml)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load YAML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>YAML (*.yaml *.yml);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export for cluster: choose a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote %1 and its YAML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export for cluster</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wrote
%1

Submit it with: sbatch %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot export</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::TrainFormPanel</name>
    <message>
        <source>Run and data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder created in the project for this run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dataset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Named dataset; the data specs below override where it is read from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from the dataset (e.g. cifar10:/data/cifar-10-batches-bin)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training data:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data spec: cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED]</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>same source, test split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation data:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data spec for the validation split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 M parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optimisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max steps per epoch:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caps each epoch for smoke runs; 0 = whole epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optimiser:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Momentum:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight decay:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>L2 penalty added to the gradient (as torch.optim)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nesterov momentum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bf16/fp16 use autocast on CUDA; the CPU trains in fp32</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learning-rate schedule</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Schedule:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warm-up start LR:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base LR:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warm-up (epochs):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In epochs, as the reference configs give it; the LR changes every step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Decay ends (epoch):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Minimum LR:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>LR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learning rate over the run, per step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Augmentation and normalisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no crop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Random crop size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Crop padding:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Random horizontal flip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean (R, G, B):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Per-channel mean on the 0..1 scale</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Std (R, G, B):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cpu, cuda or cuda:N</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all cores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data workers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>best loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>best accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkpoints:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;run.name&apos; must be a folder name (not empty, no &apos;/&apos;, not starting with &apos;.&apos;)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>repalign::gui::TuneFormPanel</name>
    <message>
        <source>Base model and brain data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder created in the project for this run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>baseline checkpoint (.pt / .pth)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Base checkpoint:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checkpoints (*.pt *.pth);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The trained baseline; a copy becomes the student, the original the frozen teacher</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from the checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only needed for PyTorch files that do not record it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NSD bundle (.h5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bundle:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>NSD bundles (*.h5 *.hdf5);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stimuli and voxel responses (File ▸ Import NSD… writes one)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ROIs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Comma-separated; one readout per ROI</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accuracy data:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data spec for the per-epoch classification accuracy; auto = CIFAR-10 where found; none = skip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Readout and distillation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Layer the readout reads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pooling:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>flatten: every element (512×2×2 = 2048 inputs); mean: spatial mean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Output activation:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Freeze the backbone (train only the readout)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Alpha (KD weight):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>loss = MSE + alpha · KL(student ‖ teacher); 0 = no distillation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optimisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Max steps per epoch:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caps each epoch for smoke runs; 0 = whole epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Optimiser:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weight decay:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Device:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>all cores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;run.name&apos; must be a folder name (not empty, no &apos;/&apos;, not starting with &apos;.&apos;)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;base.checkpoint&apos; is required: choose the baseline checkpoint to tune</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;bundle&apos; is required: choose an NSD bundle (File ▸ Import NSD… writes one)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
