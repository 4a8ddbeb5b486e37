<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>DistributionPlots</name>
    <message>
        <source>II-LPIPS (synthesised)</source>
        <translation>II-LPIPS (synthetisiert)</translation>
    </message>
    <message>
        <source>II-color (synthesised)</source>
        <translation>II-Farbe (synthetisiert)</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Train %1 (%2)</source>
        <translation>Training %1 (%2)</translation>
    </message>
    <message>
        <source>%1 epochs, val acc %2</source>
        <translation>%1 Epochen, Val.-Genauigkeit %2</translation>
    </message>
    <message>
        <source>Fine-tune %1 on %2</source>
        <translation>Feinabstimmung %1 auf %2</translation>
    </message>
    <message>
        <source>%1 epochs</source>
        <translation>%1 Epochen</translation>
    </message>
    <message>
        <source>, %1 median r %2</source>
        <translation>, %1 Median-r %2</translation>
    </message>
    <message>
        <source>, val acc %1</source>
        <translation>, Val.-Genauigkeit %1</translation>
    </message>
    <message>
        <source>Analyse %1 (%2)</source>
        <translation>Analyse %1 (%2)</translation>
    </message>
    <message>
        <source>%1 units, II-LPIPS %2 ± %3%4</source>
        <translation>%1 Units, II-LPIPS %2 ± %3%4</translation>
    </message>
    <message>
        <source> (uncalibrated LPIPS)</source>
        <translation> (LPIPS unkalibriert)</translation>
    </message>
    <message>
        <source>Demo pipeline</source>
        <translation>Demo-Pipeline</translation>
    </message>
    <message>
        <source>act %1
#%2
%3</source>
        <translation>Akt. %1
#%2
%3</translation>
    </message>
    <message>
        <source>Import %1 as %2</source>
        <translation>Importiere %1 als %2</translation>
    </message>
    <message>
        <source>%1 in %2</source>
        <translation>%1 in %2</translation>
    </message>
    <message>
        <source>unit %1</source>
        <translation>Einheit %1</translation>
    </message>
    <message>
        <source>II on synthesised images → %1</source>
        <translation>II auf synthetisierten Bildern → %1</translation>
    </message>
    <message>
        <source>%1 units, II-LPIPS on synthesised images %2%3</source>
        <translation>%1 Units, II-LPIPS auf synthetisierten Bildern %2%3</translation>
    </message>
    <message>
        <source>Behaviour %1 (%2)</source>
        <translation>Verhalten %1 (%2)</translation>
    </message>
    <message>
        <source>accuracy %1, ECE %2</source>
        <translation>Genauigkeit %1, ECE %2</translation>
    </message>
    <message>
        <source>human agreement %1</source>
        <translation>Übereinstimmung mit Menschen %1</translation>
    </message>
    <message>
        <source>CIFAR-10-C %1</source>
        <translation>CIFAR-10-C %1</translation>
    </message>
    <message>
        <source>PGD %1 %2 at the largest ε</source>
        <translation>PGD %1 %2 beim größten ε</translation>
    </message>
    <message>
        <source>Behaviour, baseline vs neural-tuned:</source>
        <translation>Verhalten, Baseline vs. neuronal feinabgestimmt:</translation>
    </message>
    <message>
        <source>II-LPIPS, baseline vs neural-tuned (layer4, k=5):</source>
        <translation>II-LPIPS, Baseline vs. neuronal feinabgestimmt (layer4, k=5):</translation>
    </message>
</context>
<context>
    <name>repalign::gui::AlignmentPlot</name>
    <message>
        <source>ridge r (median over voxels)</source>
        <translation>Ridge-r (Median über Voxel)</translation>
    </message>
    <message>
        <source>ridge r²/ceiling (median)</source>
        <translation>Ridge-r²/Decke (Median)</translation>
    </message>
    <message>
        <source>RSA (Spearman)</source>
        <translation>RSA (Spearman)</translation>
    </message>
    <message>
        <source>CKA (linear, unbiased)</source>
        <translation>CKA (linear, erwartungstreu)</translation>
    </message>
    <message>
        <source>Brain alignment by layer</source>
        <translation>Hirn-Alignment nach Schicht</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>%1 noise ceiling</source>
        <translation>%1 Rauschdecke</translation>
    </message>
</context>
<context>
    <name>repalign::gui::AlignmentView</name>
    <message>
        <source>Open…</source>
        <translation>Öffnen…</translation>
    </message>
    <message>
        <source>No file with brain alignment yet: write one with repalign-cli align --out FILE, then Open…</source>
        <translation>Noch keine Datei mit Hirn-Alignment: mit repalign-cli align --out DATEI schreiben, dann Öffnen…</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>Abbildung exportieren…</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>Schicht</translation>
    </message>
    <message>
        <source>ROI</source>
        <translation>ROI</translation>
    </message>
    <message>
        <source>Features</source>
        <translation>Merkmale</translation>
    </message>
    <message>
        <source>r (median)</source>
        <translation>r (Median)</translation>
    </message>
    <message>
        <source>r²/ceiling</source>
        <translation>r²/Decke</translation>
    </message>
    <message>
        <source>RSA</source>
        <translation>RSA</translation>
    </message>
    <message>
        <source>CKA</source>
        <translation>CKA</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Datei:</translation>
    </message>
    <message>
        <source>Score:</source>
        <translation>Maß:</translation>
    </message>
    <message>
        <source>Open brain alignment</source>
        <translation>Hirn-Alignment öffnen</translation>
    </message>
    <message>
        <source>HDF5 files (*.h5 *.hdf5);;All files (*)</source>
        <translation>HDF5-Dateien (*.h5 *.hdf5);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>projected from %1 features</source>
        <translation>projiziert aus %1 Merkmalen</translation>
    </message>
    <message>
        <source>Layer profile</source>
        <translation>Schichtprofil</translation>
    </message>
    <message>
        <source>Voxel images</source>
        <translation>Voxelbilder</translation>
    </message>
</context>
<context>
    <name>repalign::gui::AnalysisFormPanel</name>
    <message>
        <source>Model and data</source>
        <translation>Modell und Daten</translation>
    </message>
    <message>
        <source>Analysis name:</source>
        <translation>Name der Analyse:</translation>
    </message>
    <message>
        <source>Written as analysis/&lt;name&gt;.h5 in the checkpoint&apos;s run</source>
        <translation>Wird als analysis/&lt;name&gt;.h5 im Lauf des Checkpoints geschrieben</translation>
    </message>
    <message>
        <source>checkpoint (.pt / .pth)</source>
        <translation>Checkpoint (.pt / .pth)</translation>
    </message>
    <message>
        <source>Checkpoint:</source>
        <translation>Checkpoint:</translation>
    </message>
    <message>
        <source>Checkpoints (*.pt *.pth);;All files (*)</source>
        <translation>Checkpoints (*.pt *.pth);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>from the checkpoint</source>
        <translation>aus dem Checkpoint</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>Architektur:</translation>
    </message>
    <message>
        <source>cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED]</source>
        <translation>cifar10:DIR, idx:DIR, folder:DIR oder shapes:N[:SEED]</translation>
    </message>
    <message>
        <source>Data:</source>
        <translation>Daten:</translation>
    </message>
    <message>
        <source>Split:</source>
        <translation>Teil:</translation>
    </message>
    <message>
        <source>Max images:</source>
        <translation>Höchstens Bilder:</translation>
    </message>
    <message>
        <source>Use only the first N images (0 = all)</source>
        <translation>Nur die ersten N Bilder verwenden (0 = alle)</translation>
    </message>
    <message>
        <source>Units and MEIs</source>
        <translation>Units und MEIs</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>Schicht:</translation>
    </message>
    <message>
        <source>The model&apos;s taps, in forward order</source>
        <translation>Die Abgriffe des Modells, in Vorwärtsreihenfolge</translation>
    </message>
    <message>
        <source>Aggregation:</source>
        <translation>Aggregation:</translation>
    </message>
    <message>
        <source>center = element [H/2, W/2] (the reference); flatten keeps every element</source>
        <translation>center = Element [H/2, W/2] (die Referenz); flatten behält jedes Element</translation>
    </message>
    <message>
        <source>MEIs per unit (k):</source>
        <translation>MEIs je Unit (k):</translation>
    </message>
    <message>
        <source>Also keep the k least exciting images</source>
        <translation>Auch die k am wenigsten erregenden Bilder speichern</translation>
    </message>
    <message>
        <source>Interpretability Index</source>
        <translation>Interpretierbarkeitsindex</translation>
    </message>
    <message>
        <source>search the usual places (empty) or random:SEED</source>
        <translation>übliche Orte durchsuchen (leer) oder random:SEED</translation>
    </message>
    <message>
        <source>LPIPS weights:</source>
        <translation>LPIPS-Gewichte:</translation>
    </message>
    <message>
        <source>PyTorch weights (*.pth *.pt);;All files (*)</source>
        <translation>PyTorch-Gewichte (*.pth *.pt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>AlexNet + LPIPS v0.1 linear layers; random:SEED gives an uncalibrated LPIPS (marked everywhere)</source>
        <translation>AlexNet + lineare LPIPS-v0.1-Schichten; random:SEED ergibt ein unkalibriertes LPIPS (überall gekennzeichnet)</translation>
    </message>
    <message>
        <source>as is</source>
        <translation>unverändert</translation>
    </message>
    <message>
        <source>LPIPS input side:</source>
        <translation>LPIPS-Eingabegröße:</translation>
    </message>
    <message>
        <source>MEIs are resized to this side first (reference: 32 → 64)</source>
        <translation>MEIs werden zuerst auf diese Seitenlänge skaliert (Referenz: 32 → 64)</translation>
    </message>
    <message>
        <source>exclude (pairs i&lt;j)</source>
        <translation>exclude (Paare i&lt;j)</translation>
    </message>
    <message>
        <source>include (reference numbers)</source>
        <translation>include (Zahlen der Referenz)</translation>
    </message>
    <message>
        <source>II convention:</source>
        <translation>II-Konvention:</translation>
    </message>
    <message>
        <source>include averages the full k×k matrix with its zero diagonal, as the reference code</source>
        <translation>include mittelt über die ganze k×k-Matrix samt Null-Diagonale, wie der Referenzcode</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>all cores</source>
        <translation>alle Kerne</translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation>CPU-Threads:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Batchgröße:</translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;name&apos; must be a file name (not empty, no &apos;/&apos;, not starting with &apos;.&apos;)</source>
        <translation>&lt;form&gt;: key &apos;name&apos; muss ein Dateiname sein (nicht leer, kein &apos;/&apos;, nicht mit &apos;.&apos; beginnend)</translation>
    </message>
    <message>
        <source>Reading the checkpoint…</source>
        <translation>Checkpoint wird gelesen…</translation>
    </message>
    <message>
        <source>%1 does not exist</source>
        <translation>%1 existiert nicht</translation>
    </message>
    <message>
        <source>architecture not recorded (choose it below)</source>
        <translation>Architektur nicht gespeichert (unten wählen)</translation>
    </message>
    <message>
        <source> · epoch %1</source>
        <translation> · Epoche %1</translation>
    </message>
    <message>
        <source> · tuned (readout %1)</source>
        <translation> · feinabgestimmt (Readout %1)</translation>
    </message>
    <message>
        <source>Workbench defaults (layer4, centre, k = 5, ii_diagonal exclude)</source>
        <translation>Workbench-Standard (layer4, Mitte, k = 5, ii_diagonal exclude)</translation>
    </message>
    <message>
        <source>Reference study (layer4, centre, k = 5, LPIPS at 64 px, ii_diagonal include)</source>
        <translation>Referenzstudie (layer4, Mitte, k = 5, LPIPS bei 64 px, ii_diagonal include)</translation>
    </message>
    <message>
        <source>Fills the layer, aggregation, k, LPIPS side and II convention; every field stays editable. The reference&apos;s published II values use ii_diagonal include.</source>
        <translation>Füllt Schicht, Aggregation, k, LPIPS-Seitenlänge und II-Konvention aus; jedes Feld bleibt editierbar. Die veröffentlichten II-Werte der Referenz verwenden ii_diagonal include.</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>Vorlage:</translation>
    </message>
    <message>
        <source>To compare with the reference&apos;s published numbers choose include: its mean over the full k×k matrix counts the k diagonal entries, so II-LPIPS and II-color are (k−1)/k of the pairwise (exclude) mean (0.8 at k = 5; II-color is also negated), and II-label is (1 + (k−1)·share)/k.</source>
        <translation>Für den Vergleich mit den veröffentlichten Zahlen der Referenz include wählen: ihr Mittel über die volle k×k-Matrix zählt die k Diagonaleinträge mit, daher sind II-LPIPS und II-Farbe (k−1)/k des paarweisen (exclude-)Mittels (0,8 bei k = 5; II-Farbe zudem negiert), und II-Label ist (1 + (k−1)·Anteil)/k.</translation>
    </message>
    <message>
        <source>the dataset MEIs</source>
        <translation>die MEIs des Datensatzes</translation>
    </message>
    <message>
        <source>synthesised images in this analysis file (/synth)</source>
        <translation>synthetisierte Bilder in dieser Analysedatei (/synth)</translation>
    </message>
    <message>
        <source>synthesised images of another file</source>
        <translation>synthetisierte Bilder einer anderen Datei</translation>
    </message>
    <message>
        <source>II on:</source>
        <translation>II auf:</translation>
    </message>
    <message>
        <source>Synthesised images: the II over each unit&apos;s images from Visualise (repalign-cli visualize), added to the analysis file as /ii_synth; needs no checkpoint or data</source>
        <translation>Synthetisierte Bilder: der II über die Bilder jeder Unit aus Visualisieren (repalign-cli visualize), als /ii_synth zur Analysedatei hinzugefügt; braucht keinen Checkpoint und keine Daten</translation>
    </message>
    <message>
        <source>a file with /synth (repalign-cli visualize --out FILE)</source>
        <translation>eine Datei mit /synth (repalign-cli visualize --out FILE)</translation>
    </message>
    <message>
        <source>Synthesised images:</source>
        <translation>Synthetisierte Bilder:</translation>
    </message>
    <message>
        <source>HDF5 files (*.h5 *.hdf5);;All files (*)</source>
        <translation>HDF5-Dateien (*.h5 *.hdf5);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>The file whose /synth is read; the II is written to this analysis&apos;s file</source>
        <translation>Die Datei, deren /synth gelesen wird; der II wird in die Datei dieser Analyse geschrieben</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>Genauigkeit (Zahlenformat):</translation>
    </message>
    <message>
        <source>the model&apos;s forward pass; bf16: autocast on the CPU or CUDA (LPIPS stays fp32); fp16: CUDA only</source>
        <translation>der Vorwärtsdurchlauf des Modells; bf16: Autocast auf CPU oder CUDA (LPIPS bleibt fp32); fp16: nur CUDA</translation>
    </message>
</context>
<context>
    <name>repalign::gui::BehaveFormPanel</name>
    <message>
        <source>Model and data</source>
        <translation>Modell und Daten</translation>
    </message>
    <message>
        <source>Output name:</source>
        <translation>Ausgabename:</translation>
    </message>
    <message>
        <source>Written as analysis/&lt;name&gt;.h5 in the checkpoint&apos;s run; an existing analysis of that name gains /behaviour</source>
        <translation>Wird als analysis/&lt;name&gt;.h5 im Lauf des Checkpoints geschrieben; eine vorhandene Analyse dieses Namens erhält /behaviour</translation>
    </message>
    <message>
        <source>Checkpoints (*.pt *.pth);;All files (*)</source>
        <translation>Checkpoints (*.pt *.pth);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>checkpoint (.pt / .pth)</source>
        <translation>Checkpoint (.pt / .pth)</translation>
    </message>
    <message>
        <source>Checkpoint:</source>
        <translation>Checkpoint:</translation>
    </message>
    <message>
        <source>from the checkpoint</source>
        <translation>aus dem Checkpoint</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>Architektur:</translation>
    </message>
    <message>
        <source>cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED]</source>
        <translation>cifar10:DIR, idx:DIR, folder:DIR oder shapes:N[:SEED]</translation>
    </message>
    <message>
        <source>Data:</source>
        <translation>Daten:</translation>
    </message>
    <message>
        <source>Split:</source>
        <translation>Teil:</translation>
    </message>
    <message>
        <source>CIFAR-10H and CIFAR-10-C are of the CIFAR-10 test set</source>
        <translation>CIFAR-10H und CIFAR-10-C beziehen sich auf den CIFAR-10-Testdatensatz</translation>
    </message>
    <message>
        <source>Max images:</source>
        <translation>Höchstens Bilder:</translation>
    </message>
    <message>
        <source>The first N images of the split (-1 = all)</source>
        <translation>Die ersten N Bilder des Splits (-1 = alle)</translation>
    </message>
    <message>
        <source>Human agreement (CIFAR-10H)</source>
        <translation>Übereinstimmung mit Menschen (CIFAR-10H)</translation>
    </message>
    <message>
        <source>cifar10h-probs.npy or cifar10h-counts.npy (empty: none)</source>
        <translation>cifar10h-probs.npy oder cifar10h-counts.npy (leer: keine)</translation>
    </message>
    <message>
        <source>Human labels:</source>
        <translation>Menschliche Labels:</translation>
    </message>
    <message>
        <source>NumPy arrays (*.npy);;All files (*)</source>
        <translation>NumPy-Arrays (*.npy);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Cross-entropy, agreement with the majority and κ against the human label distribution</source>
        <translation>Kreuzentropie, Übereinstimmung mit der Mehrheit und κ gegen die menschliche Labelverteilung</translation>
    </message>
    <message>
        <source>cifar10h-raw.csv (optional)</source>
        <translation>cifar10h-raw.csv (optional)</translation>
    </message>
    <message>
        <source>Annotators:</source>
        <translation>Annotierende:</translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV-Dateien (*.csv);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Error consistency (κ) per annotator, its median and CI</source>
        <translation>Fehlerkonsistenz (κ) je annotierender Person, ihr Median und KI</translation>
    </message>
    <message>
        <source>Corruptions (CIFAR-10-C)</source>
        <translation>Korruptionen (CIFAR-10-C)</translation>
    </message>
    <message>
        <source>folder with &lt;corruption&gt;.npy and labels.npy (empty: none)</source>
        <translation>Ordner mit &lt;corruption&gt;.npy und labels.npy (leer: keiner)</translation>
    </message>
    <message>
        <source>Folder:</source>
        <translation>Ordner:</translation>
    </message>
    <message>
        <source>The published CIFAR-10-C, or a folder written by repalign-cli corrupt</source>
        <translation>Das veröffentlichte CIFAR-10-C oder ein von repalign-cli corrupt geschriebener Ordner</translation>
    </message>
    <message>
        <source>all in the folder, or e.g. fog,contrast</source>
        <translation>alle im Ordner, oder z. B. fog,contrast</translation>
    </message>
    <message>
        <source>Only:</source>
        <translation>Nur:</translation>
    </message>
    <message>
        <source>behave .h5 of a reference model (CE, mCE; optional)</source>
        <translation>behave-.h5 eines Referenzmodells (CE, mCE; optional)</translation>
    </message>
    <message>
        <source>Reference:</source>
        <translation>Referenz:</translation>
    </message>
    <message>
        <source>HDF5 files (*.h5 *.hdf5);;All files (*)</source>
        <translation>HDF5-Dateien (*.h5 *.hdf5);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>PGD robustness</source>
        <translation>PGD-Robustheit</translation>
    </message>
    <message>
        <source>empty: no L∞ attack</source>
        <translation>leer: kein L∞-Angriff</translation>
    </message>
    <message>
        <source>L∞ ε (×1/255):</source>
        <translation>L∞-ε (×1/255):</translation>
    </message>
    <message>
        <source>Comma-separated, in 1/255 pixel steps</source>
        <translation>Kommagetrennt, in Pixelschritten von 1/255</translation>
    </message>
    <message>
        <source>e.g. 0.25,0.5,1 (empty: no L2 attack)</source>
        <translation>z. B. 0.25,0.5,1 (leer: kein L2-Angriff)</translation>
    </message>
    <message>
        <source>L2 ε:</source>
        <translation>L2-ε:</translation>
    </message>
    <message>
        <source>Comma-separated, pixels in [0, 1]</source>
        <translation>Kommagetrennt, Pixel in [0, 1]</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>Schritte:</translation>
    </message>
    <message>
        <source>Step size (× ε):</source>
        <translation>Schrittweite (× ε):</translation>
    </message>
    <message>
        <source>Start at a random point of the ε-ball</source>
        <translation>An einem zufälligen Punkt der ε-Kugel beginnen</translation>
    </message>
    <message>
        <source>Images:</source>
        <translation>Bilder:</translation>
    </message>
    <message>
        <source>PGD on the first N evaluated images (-1 = all)</source>
        <translation>PGD auf den ersten N ausgewerteten Bildern (-1 = alle)</translation>
    </message>
    <message>
        <source>Calibration and statistics</source>
        <translation>Kalibrierung und Statistik</translation>
    </message>
    <message>
        <source>Calibration bins:</source>
        <translation>Kalibrierungs-Bins:</translation>
    </message>
    <message>
        <source>Equal-width confidence bins of the ECE</source>
        <translation>Konfidenz-Bins gleicher Breite für die ECE</translation>
    </message>
    <message>
        <source>Bootstrap resamples:</source>
        <translation>Bootstrap-Stichproben:</translation>
    </message>
    <message>
        <source>For the human metrics&apos; 95% CIs</source>
        <translation>Für die 95-%-KIs der Menschenvergleichsmaße</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>Random starts and bootstrap resamples</source>
        <translation>Zufallsstarts und Bootstrap-Stichproben</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>all cores</source>
        <translation>alle Kerne</translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation>CPU-Threads:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Batchgröße:</translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;name&apos; must be a file name (not empty, no &apos;/&apos;, not starting with &apos;.&apos;)</source>
        <translation>&lt;form&gt;: key &apos;name&apos; muss ein Dateiname sein (nicht leer, kein &apos;/&apos;, nicht mit &apos;.&apos; beginnend)</translation>
    </message>
</context>
<context>
    <name>repalign::gui::BehaviourPlots</name>
    <message>
        <source>L∞ ε (×1/255)</source>
        <translation>L∞-ε (×1/255)</translation>
    </message>
    <message>
        <source>L2 ε</source>
        <translation>L2-ε</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <source>Corruption robustness</source>
        <translation>Robustheit gegen Korruptionen</translation>
    </message>
    <message>
        <source>Robust accuracy</source>
        <translation>Robuste Genauigkeit</translation>
    </message>
    <message>
        <source>severity</source>
        <translation>Stärke</translation>
    </message>
    <message>
        <source>%1 is only in %2</source>
        <translation>%1 ist nur in %2</translation>
    </message>
    <message>
        <source>Corruptions: %1 − %2</source>
        <translation>Korruptionen: %1 − %2</translation>
    </message>
    <message>
        <source>Δ accuracy (mean %1)</source>
        <translation>Δ Genauigkeit (Mittel %1)</translation>
    </message>
    <message>
        <source>Reliability</source>
        <translation>Zuverlässigkeit</translation>
    </message>
    <message>
        <source>confidence</source>
        <translation>Sicherheit</translation>
    </message>
    <message>
        <source>%1 (ECE %2)</source>
        <translation>%1 (ECE %2)</translation>
    </message>
    <message>
        <source>Human agreement (95% CI)</source>
        <translation>Übereinstimmung mit Menschen (95-%-KI)</translation>
    </message>
    <message>
        <source>cross-entropy</source>
        <translation>Kreuzentropie</translation>
    </message>
    <message>
        <source>agreement</source>
        <translation>Übereinstimmung</translation>
    </message>
    <message>
        <source>Cohen&apos;s κ</source>
        <translation>Cohens κ</translation>
    </message>
    <message>
        <source>%1: evaluated on different data (%2 %3 vs %4 %5)</source>
        <translation>%1: auf verschiedenen Daten ausgewertet (%2 %3 gegen %4 %5)</translation>
    </message>
    <message>
        <source>%1: different numbers of images (%2 vs %3)</source>
        <translation>%1: verschiedene Bildanzahlen (%2 gegen %3)</translation>
    </message>
    <message>
        <source>%1: different calibration bins (%2 vs %3); ECE values differ with the bins</source>
        <translation>%1: verschiedene Kalibrierungs-Bins (%2 gegen %3); ECE-Werte hängen von den Bins ab</translation>
    </message>
    <message>
        <source>%1: only %2 has human results (repalign-cli behave --human FILE)</source>
        <translation>%1: nur %2 hat Ergebnisse zum Menschenvergleich (repalign-cli behave --human FILE)</translation>
    </message>
    <message>
        <source>%1: only %2 has corruption results (repalign-cli behave --corruptions DIR)</source>
        <translation>%1: nur %2 hat Korruptionsergebnisse (repalign-cli behave --corruptions DIR)</translation>
    </message>
    <message>
        <source>%1: different corruption sets (%2 and %3 corruptions, %4 in both); the heat map shows those in both</source>
        <translation>%1: verschiedene Korruptionen (%2 und %3, %4 in beiden); die Heatmap zeigt die gemeinsamen</translation>
    </message>
    <message>
        <source>%1: only %2 has %3 PGD results</source>
        <translation>%1: nur %2 hat %3-PGD-Ergebnisse</translation>
    </message>
    <message>
        <source>%1: different %2 ε grids</source>
        <translation>%1: verschiedene %2-ε-Raster</translation>
    </message>
    <message>
        <source>%1: %2 PGD with different settings (%3 vs %4 steps, random start %5 vs %6)</source>
        <translation>%1: %2-PGD mit verschiedenen Einstellungen (%3 gegen %4 Schritte, Zufallsstart %5 gegen %6)</translation>
    </message>
    <message>
        <source>%1: %2 PGD attacked different images</source>
        <translation>%1: %2-PGD hat verschiedene Bilder angegriffen</translation>
    </message>
</context>
<context>
    <name>repalign::gui::BehaviourView</name>
    <message>
        <source>The baseline&apos;s behaviour file (first in every figure; the heat map subtracts it)</source>
        <translation>Die Verhaltensdatei des Basismodells (in jeder Abbildung zuerst; die Heatmap zieht sie ab)</translation>
    </message>
    <message>
        <source>The tuned model&apos;s behaviour file (none: the baseline alone)</source>
        <translation>Die Verhaltensdatei des feinabgestimmten Modells (keine: nur das Basismodell)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Öffnen…</translation>
    </message>
    <message>
        <source>Open a behaviour file (.h5 with /behaviour) as the baseline</source>
        <translation>Eine Verhaltensdatei (.h5 mit /behaviour) als Basismodell öffnen</translation>
    </message>
    <message>
        <source>Open a behaviour file (.h5 with /behaviour) as the tuned model</source>
        <translation>Eine Verhaltensdatei (.h5 mit /behaviour) als feinabgestimmtes Modell öffnen</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>Abbildung exportieren…</translation>
    </message>
    <message>
        <source>Export the figure of this page (PNG, SVG or PDF at a talk or paper preset)</source>
        <translation>Die Abbildung dieser Seite exportieren (PNG, SVG oder PDF in einer Vortrags- oder Papiervorgabe)</translation>
    </message>
    <message>
        <source>Baseline:</source>
        <translation>Basismodell:</translation>
    </message>
    <message>
        <source>Tuned:</source>
        <translation>Feinabgestimmt:</translation>
    </message>
    <message>
        <source>Robustness</source>
        <translation>Robustheit</translation>
    </message>
    <message>
        <source>Corruptions</source>
        <translation>Korruptionen</translation>
    </message>
    <message>
        <source>Calibration</source>
        <translation>Kalibrierung</translation>
    </message>
    <message>
        <source>Human agreement</source>
        <translation>Übereinstimmung mit Menschen</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;b&gt;No behaviour file yet.&lt;/b&gt; Write one per model (the baseline and the tuned model) into its run&apos;s analysis folder, where this view finds it:&lt;/p&gt;&lt;pre&gt;repalign-cli behave --checkpoint RUN/checkpoints/best_acc.pt --data cifar10:DIR --split test \
    --out RUN/analysis/behave.h5&lt;/pre&gt;&lt;p&gt;Each option adds a page: human agreement&lt;/p&gt;&lt;pre&gt;    --human cifar10h-probs.npy --human-raw cifar10h-raw.csv&lt;/pre&gt;&lt;p&gt;corruption accuracy (CIFAR-10-C, or a folder written by repalign-cli corrupt)&lt;/p&gt;&lt;pre&gt;    --corruptions CIFAR-10-C&lt;/pre&gt;&lt;p&gt;and PGD robustness (L∞ ε in 1/255, L2 ε in pixel units)&lt;/p&gt;&lt;pre&gt;    --pgd linf:1,2,4,8 --pgd l2:0.25,0.5,1 --pgd-steps 10&lt;/pre&gt;&lt;p&gt;The Setup tab&apos;s Behaviour form queues the same job. A file elsewhere: Open… above.&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;Noch keine Verhaltensdatei.&lt;/b&gt; Schreiben Sie eine je Modell (Basismodell und feinabgestimmtes Modell) in den Analyseordner seines Laufs, wo diese Ansicht sie findet:&lt;/p&gt;&lt;pre&gt;repalign-cli behave --checkpoint RUN/checkpoints/best_acc.pt --data cifar10:DIR --split test \
    --out RUN/analysis/behave.h5&lt;/pre&gt;&lt;p&gt;Jede Option fügt eine Seite hinzu: Übereinstimmung mit Menschen&lt;/p&gt;&lt;pre&gt;    --human cifar10h-probs.npy --human-raw cifar10h-raw.csv&lt;/pre&gt;&lt;p&gt;Genauigkeit unter Korruptionen (CIFAR-10-C oder ein von repalign-cli corrupt geschriebener Ordner)&lt;/p&gt;&lt;pre&gt;    --corruptions CIFAR-10-C&lt;/pre&gt;&lt;p&gt;und PGD-Robustheit (L∞-ε in 1/255, L2-ε in Pixeleinheiten)&lt;/p&gt;&lt;pre&gt;    --pgd linf:1,2,4,8 --pgd l2:0.25,0.5,1 --pgd-steps 10&lt;/pre&gt;&lt;p&gt;Das Verhaltensformular im Einrichten-Tab stellt denselben Job in die Warteschlange. Eine Datei anderswo: Öffnen… oben.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Open the tuned model&apos;s behaviour</source>
        <translation>Verhalten des feinabgestimmten Modells öffnen</translation>
    </message>
    <message>
        <source>Open the baseline&apos;s behaviour</source>
        <translation>Verhalten des Basismodells öffnen</translation>
    </message>
    <message>
        <source>HDF5 files (*.h5 *.hdf5);;All files (*)</source>
        <translation>HDF5-Dateien (*.h5 *.hdf5);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>No behaviour file is chosen.</source>
        <translation>Keine Verhaltensdatei gewählt.</translation>
    </message>
    <message>
        <source>The heat map shows tuned − baseline accuracy: choose a tuned model&apos;s file too.</source>
        <translation>Die Heatmap zeigt die Genauigkeit feinabgestimmt − Basismodell: wählen Sie auch die Datei eines feinabgestimmten Modells.</translation>
    </message>
</context>
<context>
    <name>repalign::gui::ConfigForm</name>
    <message>
        <source>Choose a folder</source>
        <translation>Ordner wählen</translation>
    </message>
    <message>
        <source>Choose a file</source>
        <translation>Datei wählen</translation>
    </message>
    <message>
        <source>Learning-rate schedule</source>
        <translation>Lernraten-Verlauf</translation>
    </message>
    <message>
        <source>Schedule:</source>
        <translation>Verlauf:</translation>
    </message>
    <message>
        <source>Warm-up start LR:</source>
        <translation>Start-LR beim Aufwärmen:</translation>
    </message>
    <message>
        <source>Base LR:</source>
        <translation>Basis-LR:</translation>
    </message>
    <message>
        <source>Warm-up (epochs):</source>
        <translation>Aufwärmen (Epochen):</translation>
    </message>
    <message>
        <source>In epochs, as the reference configs give it; the LR changes every step</source>
        <translation>In Epochen, wie in den Referenz-Konfigurationen; die LR ändert sich mit jedem Schritt</translation>
    </message>
    <message>
        <source>Decay ends (epoch):</source>
        <translation>Abklingen endet (Epoche):</translation>
    </message>
    <message>
        <source>Minimum LR:</source>
        <translation>Minimale LR:</translation>
    </message>
    <message>
        <source>Augmentation and normalisation</source>
        <translation>Augmentierung und Normalisierung</translation>
    </message>
    <message>
        <source>Resize to:</source>
        <translation>Skalieren auf:</translation>
    </message>
    <message>
        <source>Side the bundle images are resized to before cropping (the reference: 32)</source>
        <translation>Seitenlänge, auf die die Bundle-Bilder vor dem Zuschneiden skaliert werden (Referenz: 32)</translation>
    </message>
    <message>
        <source>no crop</source>
        <translation>kein Zuschnitt</translation>
    </message>
    <message>
        <source>Random crop size:</source>
        <translation>Größe des Zufallsausschnitts:</translation>
    </message>
    <message>
        <source>Crop padding:</source>
        <translation>Rand beim Zuschneiden:</translation>
    </message>
    <message>
        <source>Random horizontal flip</source>
        <translation>Zufälliges horizontales Spiegeln</translation>
    </message>
    <message>
        <source>Mean (R, G, B):</source>
        <translation>Mittelwert (R, G, B):</translation>
    </message>
    <message>
        <source>Per-channel mean on the 0..1 scale</source>
        <translation>Mittelwert je Kanal auf der Skala 0..1</translation>
    </message>
    <message>
        <source>Std (R, G, B):</source>
        <translation>Standardabw. (R, G, B):</translation>
    </message>
    <message>
        <source>A checkpoint of this project&apos;s runs, or type or browse for any .pt / .pth file</source>
        <translation>Ein Checkpoint der Läufe dieses Projekts, oder eine beliebige .pt-/.pth-Datei eingeben oder auswählen</translation>
    </message>
    <message>
        <source>Choose a checkpoint file outside the project</source>
        <translation>Eine Checkpoint-Datei außerhalb des Projekts wählen</translation>
    </message>
    <message>
        <source>Choose a checkpoint</source>
        <translation>Checkpoint wählen</translation>
    </message>
    <message>
        <source>First step&apos;s rate:</source>
        <translation>Rate des ersten Schritts:</translation>
    </message>
    <message>
        <source>reference: step 0 at the optimiser&apos;s own rate, as the reference code does (its scheduler sets a rate only after the first optimizer.step()); schedule: the schedule from step 0</source>
        <translation>reference: Schritt 0 mit der eigenen Rate des Optimierers, wie im Referenzcode (dessen Scheduler setzt eine Rate erst nach dem ersten optimizer.step()); schedule: der Zeitplan ab Schritt 0</translation>
    </message>
    <message>
        <source>Optimisation</source>
        <translation>Optimierung</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>Epochen:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Batchgröße:</translation>
    </message>
    <message>
        <source>Per process: a data-parallel run of N ranks steps on N times this many images</source>
        <translation>Pro Prozess: ein datenparalleler Lauf mit N Rängen rechnet jeden Schritt auf N-mal so vielen Bildern</translation>
    </message>
    <message>
        <source>Max steps per epoch:</source>
        <translation>Höchstens Schritte je Epoche:</translation>
    </message>
    <message>
        <source>Caps each epoch for smoke runs; 0 = whole epoch</source>
        <translation>Begrenzt jede Epoche für Testläufe; 0 = ganze Epoche</translation>
    </message>
    <message>
        <source>Optimiser:</source>
        <translation>Optimierer:</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Lernrate:</translation>
    </message>
    <message>
        <source>Weight decay:</source>
        <translation>Weight Decay:</translation>
    </message>
    <message>
        <source>L2 penalty added to the gradient (as torch.optim)</source>
        <translation>L2-Strafterm, zum Gradienten addiert (wie torch.optim)</translation>
    </message>
    <message>
        <source>Momentum:</source>
        <translation>Momentum:</translation>
    </message>
    <message>
        <source>Nesterov momentum</source>
        <translation>Nesterov-Momentum</translation>
    </message>
</context>
<context>
    <name>repalign::gui::DistributionsView</name>
    <message>
        <source>%1 distribution</source>
        <translation>Verteilung von %1</translation>
    </message>
    <message>
        <source>Density</source>
        <translation>Dichte</translation>
    </message>
    <message>
        <source>%1 per unit</source>
        <translation>%1 je Unit</translation>
    </message>
    <message>
        <source>units (n=%1)</source>
        <translation>Units (n=%1)</translation>
    </message>
    <message>
        <source>Tick two or more analyses; the first two make the paired scatter</source>
        <translation>Zwei oder mehr Analysen anhaken; die ersten beiden ergeben das gepaarte Streudiagramm</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>Histogramm</translation>
    </message>
    <message>
        <source>Violin</source>
        <translation>Violine</translation>
    </message>
    <message>
        <source>Box</source>
        <translation>Boxplot</translation>
    </message>
    <message>
        <source>Copy as Markdown</source>
        <translation>Als Markdown kopieren</translation>
    </message>
    <message>
        <source>Copy as LaTeX</source>
        <translation>Als LaTeX kopieren</translation>
    </message>
    <message>
        <source>Export page…</source>
        <translation>Seite exportieren…</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>Abbildung exportieren…</translation>
    </message>
    <message>
        <source>Tick two or more analyses to compare them.</source>
        <translation>Haken Sie zwei oder mehr Analysen an, um sie zu vergleichen.</translation>
    </message>
    <message>
        <source>Analyses</source>
        <translation>Analysen</translation>
    </message>
    <message>
        <source>Metric:</source>
        <translation>Metrik:</translation>
    </message>
    <message>
        <source>Plot:</source>
        <translation>Diagramm:</translation>
    </message>
    <message>
        <source>Statistics</source>
        <translation>Statistik</translation>
    </message>
    <message>
        <source>exclude: the mean over MEI pairs i&lt;j; include: the full k×k matrix with its zero diagonal, as the reference&apos;s numbers (II-LPIPS (k−1)/k of exclude)</source>
        <translation>exclude: Mittel über die MEI-Paare i&lt;j; include: die volle k×k-Matrix mit ihrer Null-Diagonale, wie die Zahlen der Referenz (II-LPIPS (k−1)/k von exclude)</translation>
    </message>
    <message>
        <source>II distributions</source>
        <translation>II-Verteilungen</translation>
    </message>
    <message>
        <source>Brain alignment</source>
        <translation>Hirn-Alignment</translation>
    </message>
    <message>
        <source>II convention (ii_diagonal): %1</source>
        <translation>II-Konvention (ii_diagonal): %1</translation>
    </message>
    <message>
        <source>Behaviour</source>
        <translation>Verhalten</translation>
    </message>
    <message>
        <source>Human psychophysics</source>
        <translation>Psychophysik mit Menschen</translation>
    </message>
</context>
<context>
    <name>repalign::gui::Figure</name>
    <message>
        <source>Talk slide 16:9 (10 × 5.6 in)</source>
        <translation>Vortragsfolie 16:9 (10 × 5,6 in)</translation>
    </message>
    <message>
        <source>Paper, one column (3.5 in)</source>
        <translation>Artikel, einspaltig (3,5 in)</translation>
    </message>
    <message>
        <source>Paper, two columns (7 in)</source>
        <translation>Artikel, zweispaltig (7 in)</translation>
    </message>
</context>
<context>
    <name>repalign::gui::FigureDialog</name>
    <message>
        <source>Export figure</source>
        <translation>Abbildung exportieren</translation>
    </message>
    <message>
        <source> dpi</source>
        <translation> dpi</translation>
    </message>
    <message>
        <source>Resolution of PNG files; SVG and PDF are vector graphics</source>
        <translation>Auflösung von PNG-Dateien; SVG und PDF sind Vektorgrafiken</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Datei:</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>Größe:</translation>
    </message>
    <message>
        <source>PNG resolution:</source>
        <translation>PNG-Auflösung:</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>PDF (*.pdf);;SVG (*.svg);;PNG (*.png)</source>
        <translation>PDF (*.pdf);;SVG (*.svg);;PNG (*.png)</translation>
    </message>
</context>
<context>
    <name>repalign::gui::ImportNsdDialog</name>
    <message>
        <source>Import brain data</source>
        <translation>Hirndaten importieren</translation>
    </message>
    <message>
        <source>source folder</source>
        <translation>Quellordner</translation>
    </message>
    <message>
        <source>Comma-separated ROI names (seed-npy: empty = all)</source>
        <translation>ROI-Namen, durch Kommas getrennt (seed-npy: leer = alle)</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>Source:</source>
        <translation>Quelle:</translation>
    </message>
    <message>
        <source>ROIs:</source>
        <translation>ROIs:</translation>
    </message>
    <message>
        <source>Subject:</source>
        <translation>Proband:</translation>
    </message>
    <message>
        <source>Image size:</source>
        <translation>Bildgröße:</translation>
    </message>
    <message>
        <source>Bundle to write:</source>
        <translation>Zu schreibendes Bundle:</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importieren</translation>
    </message>
    <message>
        <source>Source folder</source>
        <translation>Quellordner</translation>
    </message>
    <message>
        <source>Choose the source folder.</source>
        <translation>Wählen Sie den Quellordner.</translation>
    </message>
    <message>
        <source>The source folder does not exist.</source>
        <translation>Der Quellordner existiert nicht.</translation>
    </message>
    <message>
        <source>The bundle file should end in .h5.</source>
        <translation>Die Bundle-Datei sollte auf .h5 enden.</translation>
    </message>
    <message>
        <source>Import %1 → %2</source>
        <translation>Import %1 → %2</translation>
    </message>
    <message>
        <source>%1 images; %2</source>
        <translation>%1 Bilder; %2</translation>
    </message>
    <message>
        <source>Split from the train/ and val/ folders</source>
        <translation>Aufteilung aus den Ordnern train/ und val/</translation>
    </message>
    <message>
        <source>seed-npy: the source holds train/ and val/ (optionally test/), each with brain_activities/ and preprocessed/img_paths.npy, as the reference&apos;s layout; otherwise a random tenth of the images is the val split</source>
        <translation>seed-npy: die Quelle enthält train/ und val/ (optional test/), jeweils mit brain_activities/ und preprocessed/img_paths.npy, wie das Layout der Referenz; sonst ist ein zufälliges Zehntel der Bilder der Val-Split</translation>
    </message>
</context>
<context>
    <name>repalign::gui::InteractiveMetricPlot</name>
    <message>
        <source>Reset view</source>
        <translation>Ansicht zurücksetzen</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>Abbildung exportieren…</translation>
    </message>
</context>
<context>
    <name>repalign::gui::JobDock</name>
    <message>
        <source>Jobs</source>
        <translation>Aufträge</translation>
    </message>
    <message>
        <source>Job log</source>
        <translation>Auftragsprotokoll</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancel the selected job (or the running one)</source>
        <translation>Den gewählten (oder den laufenden) Auftrag abbrechen</translation>
    </message>
    <message>
        <source>Cancel all</source>
        <translation>Alle abbrechen</translation>
    </message>
    <message>
        <source>Clear finished</source>
        <translation>Erledigte entfernen</translation>
    </message>
    <message>
        <source>Started: %1</source>
        <translation>Gestartet: %1</translation>
    </message>
    <message>
        <source>%1: %2 %3</source>
        <translation>%1: %2 %3</translation>
    </message>
    <message>
        <source>Close the job dock (View ▸ Jobs shows it again)</source>
        <translation>Auftragsleiste schließen (Ansicht ▸ Aufträge zeigt sie wieder)</translation>
    </message>
    <message>
        <source>No job running</source>
        <translation>Kein Auftrag läuft</translation>
    </message>
    <message numerus="yes">
        <source>Running: %1 (%n more queued)</source>
        <translation>
            <numerusform>Läuft: %1 (%n weiterer wartet)</numerusform>
            <numerusform>Läuft: %1 (%n weitere warten)</numerusform>
        </translation>
    </message>
    <message>
        <source>Running: %1</source>
        <translation>Läuft: %1</translation>
    </message>
    <message>
        <source>Last: %1 %2</source>
        <translation>Zuletzt: %1 %2</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Ausblenden</translation>
    </message>
    <message>
        <source>Show the job queue and log</source>
        <translation>Auftragswarteschlange und Protokoll anzeigen</translation>
    </message>
    <message>
        <source>Hide the job queue and log</source>
        <translation>Auftragswarteschlange und Protokoll ausblenden</translation>
    </message>
    <message>
        <source> · running elsewhere: %1</source>
        <translation> · läuft anderswo: %1</translation>
    </message>
</context>
<context>
    <name>repalign::gui::JobQueueModel</name>
    <message>
        <source>queued</source>
        <translation>eingereiht</translation>
    </message>
    <message>
        <source>running</source>
        <translation>läuft</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>fertig</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>abgebrochen</translation>
    </message>
    <message>
        <source>diverged</source>
        <translation>divergiert</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>fehlgeschlagen</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Auftrag</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Fortschritt</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
    <message>
        <source>Cancelled before it started</source>
        <translation>Vor dem Start abgebrochen</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>Wird angehalten…</translation>
    </message>
</context>
<context>
    <name>repalign::gui::JobWorker</name>
    <message>
        <source>Cancelled before it started</source>
        <translation>Vor dem Start abgebrochen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Unexpected error: %1</source>
        <translation>Unerwarteter Fehler: %1</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>Unerwarteter Fehler</translation>
    </message>
</context>
<context>
    <name>repalign::gui::LayerLpipsPlot</name>
    <message>
        <source>II-LPIPS by AlexNet layer</source>
        <translation>II-LPIPS nach AlexNet-Schicht</translation>
    </message>
    <message>
        <source>LPIPS part</source>
        <translation>LPIPS-Anteil</translation>
    </message>
    <message>
        <source>AlexNet relu layer</source>
        <translation>AlexNet-ReLU-Schicht</translation>
    </message>
</context>
<context>
    <name>repalign::gui::MainWindow</name>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>RepAlign Workbench</source>
        <translation>RepAlign Workbench</translation>
    </message>
    <message>
        <source>Project</source>
        <translation>Projekt</translation>
    </message>
    <message>
        <source>Setup</source>
        <translation>Einrichtung</translation>
    </message>
    <message>
        <source>Monitor</source>
        <translation>Monitor</translation>
    </message>
    <message>
        <source>Neurons</source>
        <translation>Neuronen</translation>
    </message>
    <message>
        <source>Distributions</source>
        <translation>Verteilungen</translation>
    </message>
    <message>
        <source>&lt;b&gt;This project is empty.&lt;/b&gt; Run the demo pipeline to see the whole study on small built-in data: a baseline, neural fine-tuning, the analysis of both models and their comparison. Every step shows up here as it runs.</source>
        <translation>&lt;b&gt;Dieses Projekt ist leer.&lt;/b&gt; Starten Sie die Demo-Pipeline, um die ganze Studie auf kleinen eingebauten Daten zu sehen: ein Basismodell, die neuronale Feinabstimmung, die Analyse beider Modelle und ihren Vergleich. Jeder Schritt erscheint hier, während er läuft.</translation>
    </message>
    <message>
        <source>Run demo pipeline</source>
        <translation>Demo-Pipeline ausführen</translation>
    </message>
    <message>
        <source>Device: %1</source>
        <translation>Gerät: %1</translation>
    </message>
    <message>
        <source>%1: %2. %3</source>
        <translation>%1: %2. %3</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;New project…</source>
        <translation>&amp;Neues Projekt…</translation>
    </message>
    <message>
        <source>&amp;Open project…</source>
        <translation>Projekt ö&amp;ffnen…</translation>
    </message>
    <message>
        <source>Open &amp;run…</source>
        <translation>&amp;Lauf öffnen…</translation>
    </message>
    <message>
        <source>Import &amp;NSD…</source>
        <translation>&amp;NSD importieren…</translation>
    </message>
    <message>
        <source>Import PyTorch &amp;checkpoint…</source>
        <translation>PyTorch-&amp;Checkpoint importieren…</translation>
    </message>
    <message>
        <source>&amp;Export figure…</source>
        <translation>Abbildung &amp;exportieren…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ausführen</translation>
    </message>
    <message>
        <source>Train &amp;baseline…</source>
        <translation>&amp;Basismodell trainieren…</translation>
    </message>
    <message>
        <source>&amp;Fine-tune…</source>
        <translation>&amp;Feinabstimmung…</translation>
    </message>
    <message>
        <source>&amp;Analyze…</source>
        <translation>&amp;Analysieren…</translation>
    </message>
    <message>
        <source>&amp;Compare</source>
        <translation>&amp;Vergleichen</translation>
    </message>
    <message>
        <source>Run &amp;demo pipeline</source>
        <translation>&amp;Demo-Pipeline ausführen</translation>
    </message>
    <message>
        <source>Cancel &amp;job</source>
        <translation>Auftrag &amp;abbrechen</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Setup</source>
        <translation>Ein&amp;richtung</translation>
    </message>
    <message>
        <source>&amp;Monitor</source>
        <translation>&amp;Monitor</translation>
    </message>
    <message>
        <source>&amp;Neurons</source>
        <translation>&amp;Neuronen</translation>
    </message>
    <message>
        <source>&amp;Distributions</source>
        <translation>&amp;Verteilungen</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Einstellungen</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>&amp;Einstellungen…</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Sprache</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>The language changes after a restart.</source>
        <translation>Die Sprache wechselt nach einem Neustart.</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Hilfe</translation>
    </message>
    <message>
        <source>&amp;Documentation</source>
        <translation>&amp;Dokumentation</translation>
    </message>
    <message>
        <source>&amp;About RepAlign Workbench</source>
        <translation>Ü&amp;ber RepAlign Workbench</translation>
    </message>
    <message>
        <source>%1 — RepAlign Workbench</source>
        <translation>%1 — RepAlign Workbench</translation>
    </message>
    <message numerus="yes">
        <source>Project %1: %n run(s)</source>
        <translation>
            <numerusform>Projekt %1: %n Lauf</numerusform>
            <numerusform>Projekt %1: %n Läufe</numerusform>
        </translation>
    </message>
    <message>
        <source>Fine-tune from this checkpoint</source>
        <translation>Von diesem Checkpoint aus feinabstimmen</translation>
    </message>
    <message>
        <source>Analyse this checkpoint</source>
        <translation>Diesen Checkpoint analysieren</translation>
    </message>
    <message>
        <source>Open in Neurons</source>
        <translation>In Neuronen öffnen</translation>
    </message>
    <message>
        <source>Compare with the open analysis</source>
        <translation>Mit der geöffneten Analyse vergleichen</translation>
    </message>
    <message>
        <source>Show in Monitor</source>
        <translation>Im Monitor zeigen</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Ordner öffnen</translation>
    </message>
    <message>
        <source> · epoch %1/%2</source>
        <translation> · Epoche %1/%2</translation>
    </message>
    <message>
        <source> · loss %1</source>
        <translation> · Loss %1</translation>
    </message>
    <message>
        <source> · acc %1</source>
        <translation> · Genauigkeit %1</translation>
    </message>
    <message>
        <source> · ETA %1</source>
        <translation> · Rest %1</translation>
    </message>
    <message>
        <source>Jobs are running</source>
        <translation>Aufträge laufen</translation>
    </message>
    <message>
        <source>A job is still running. Stop it and quit? The run keeps its last checkpoint and can be resumed.</source>
        <translation>Ein Auftrag läuft noch. Anhalten und beenden? Der Lauf behält seinen letzten Checkpoint und kann fortgesetzt werden.</translation>
    </message>
    <message>
        <source>Stopping the running job…</source>
        <translation>Der laufende Auftrag wird angehalten…</translation>
    </message>
    <message>
        <source>New project: choose or create an empty folder</source>
        <translation>Neues Projekt: leeren Ordner wählen oder anlegen</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>Projekt öffnen</translation>
    </message>
    <message>
        <source>Open run</source>
        <translation>Lauf öffnen</translation>
    </message>
    <message>
        <source>%1 is not a run directory (no run.yaml, status.json or metrics.csv).</source>
        <translation>%1 ist kein Lauf-Ordner (kein run.yaml, status.json oder metrics.csv).</translation>
    </message>
    <message>
        <source>Import checkpoint</source>
        <translation>Checkpoint importieren</translation>
    </message>
    <message>
        <source>Open a project first.</source>
        <translation>Öffnen Sie zuerst ein Projekt.</translation>
    </message>
    <message>
        <source>Import PyTorch checkpoint</source>
        <translation>PyTorch-Checkpoint importieren</translation>
    </message>
    <message>
        <source>PyTorch files (*.pt *.pth *.ckpt);;All files (*)</source>
        <translation>PyTorch-Dateien (*.pt *.pth *.ckpt);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Wrote %1</source>
        <translation>%1 geschrieben</translation>
    </message>
    <message>
        <source>Export figure</source>
        <translation>Abbildung exportieren</translation>
    </message>
    <message>
        <source>There is no plot to export yet.</source>
        <translation>Es gibt noch kein Diagramm zum Exportieren.</translation>
    </message>
    <message>
        <source>Switch to Monitor, Neurons or Distributions to export a figure.</source>
        <translation>Wechseln Sie zu Monitor, Neuronen oder Verteilungen, um eine Abbildung zu exportieren.</translation>
    </message>
    <message>
        <source>About RepAlign Workbench</source>
        <translation>Über RepAlign Workbench</translation>
    </message>
    <message>
        <source>&lt;h3&gt;RepAlign Workbench %1&lt;/h3&gt;&lt;p&gt;Does tuning an image model to predict brain activity make its units more interpretable? Train a baseline, fine-tune it on fMRI responses, find each unit&apos;s maximally exciting images and compare their Interpretability Index.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Libraries&lt;/b&gt;&lt;br&gt;%2&lt;br&gt;Qt %3&lt;br&gt;QCustomPlot 2.1&lt;/p&gt;&lt;p&gt;&lt;b&gt;Device&lt;/b&gt;&lt;br&gt;%4&lt;/p&gt;</source>
        <translation>&lt;h3&gt;RepAlign Workbench %1&lt;/h3&gt;&lt;p&gt;Werden die Units eines Bildmodells interpretierbarer, wenn man es auf die Vorhersage von Hirnaktivität abstimmt? Trainieren Sie ein Basismodell, stimmen Sie es auf fMRI-Antworten ab, finden Sie die maximal erregenden Bilder jeder Unit und vergleichen Sie ihren Interpretierbarkeitsindex.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Bibliotheken&lt;/b&gt;&lt;br&gt;%2&lt;br&gt;Qt %3&lt;br&gt;QCustomPlot 2.1&lt;/p&gt;&lt;p&gt;&lt;b&gt;Gerät&lt;/b&gt;&lt;br&gt;%4&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Documentation</source>
        <translation>Dokumentation</translation>
    </message>
    <message>
        <source>The README was not found next to the program. Run repalign-cli --help for the command reference.</source>
        <translation>Die README wurde neben dem Programm nicht gefunden. repalign-cli --help zeigt die Befehlsreferenz.</translation>
    </message>
    <message>
        <source>Fine-tune from this run</source>
        <translation>Von diesem Lauf aus feinabstimmen</translation>
    </message>
    <message>
        <source>Analyse this run</source>
        <translation>Diesen Lauf analysieren</translation>
    </message>
    <message>
        <source>Select a unit first.</source>
        <translation>Bitte zuerst eine Einheit wählen.</translation>
    </message>
    <message>
        <source>Study</source>
        <translation>Studie</translation>
    </message>
    <message>
        <source>S&amp;tudy</source>
        <translation>S&amp;tudie</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>%1 (%2 ranks)</source>
        <translation>%1 (%2 Prozesse)</translation>
    </message>
    <message>
        <source>Run &amp;psychophysics experiment…</source>
        <translation>&amp;Psychophysik-Experiment ausführen…</translation>
    </message>
    <message>
        <source>Show behaviour</source>
        <translation>Verhalten zeigen</translation>
    </message>
    <message>
        <source>Distributions ▸ Behaviour: the demo&apos;s baseline and tuned models</source>
        <translation>Verteilungen ▸ Verhalten: Baseline- und feinabgestimmtes Modell der Demo</translation>
    </message>
    <message>
        <source>Show II distributions</source>
        <translation>II-Verteilungen zeigen</translation>
    </message>
    <message>
        <source>Distributions ▸ II distributions: the demo&apos;s two analyses</source>
        <translation>Verteilungen ▸ II-Verteilungen: die beiden Analysen der Demo</translation>
    </message>
    <message>
        <source>Hide the demo&apos;s results</source>
        <translation>Ergebnisse der Demo ausblenden</translation>
    </message>
    <message>
        <source>Demo finished. %1</source>
        <translation>Demo abgeschlossen. %1</translation>
    </message>
</context>
<context>
    <name>repalign::gui::MeiGridView</name>
    <message>
        <source>Select a unit</source>
        <translation>Wählen Sie eine Unit</translation>
    </message>
</context>
<context>
    <name>repalign::gui::MonitorView</name>
    <message>
        <source>Loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Lernrate</translation>
    </message>
    <message>
        <source>Prediction loss (MSE)</source>
        <translation>Vorhersage-Loss (MSE)</translation>
    </message>
    <message>
        <source>Distillation loss (KL)</source>
        <translation>Distillations-Loss (KL)</translation>
    </message>
    <message>
        <source>Predictivity (r)</source>
        <translation>Vorhersagegüte (r)</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>Schritt</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>Epoche</translation>
    </message>
    <message>
        <source>Wall time (s)</source>
        <translation>Laufzeit (s)</translation>
    </message>
    <message>
        <source>X axis:</source>
        <translation>x-Achse:</translation>
    </message>
    <message>
        <source>Wall time</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>What the horizontal axis counts</source>
        <translation>Was die waagerechte Achse zählt</translation>
    </message>
    <message>
        <source>Smoothing:</source>
        <translation>Glättung:</translation>
    </message>
    <message>
        <source>Exponential moving average weight (debiased); the raw curve stays faint behind</source>
        <translation>Gewicht des exponentiellen gleitenden Mittels (bias-korrigiert); die Rohkurve bleibt blass dahinter</translation>
    </message>
    <message>
        <source>Log y</source>
        <translation>Log. y</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Training</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>Validierung</translation>
    </message>
    <message>
        <source>Drag to pan, wheel to zoom, double-click to reset</source>
        <translation>Ziehen verschiebt, Mausrad zoomt, Doppelklick setzt zurück</translation>
    </message>
    <message>
        <source>Runs overlaid in the plots; untick to hide, select runs in the project to add them</source>
        <translation>In den Diagrammen überlagerte Läufe; Haken entfernen zum Ausblenden, Läufe im Projekt wählen zum Hinzufügen</translation>
    </message>
    <message>
        <source>No metrics yet.
Select a run in the project, or launch one from Setup.</source>
        <translation>Noch keine Metriken.
Wählen Sie einen Lauf im Projekt oder starten Sie einen in der Einrichtung.</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Läufe</translation>
    </message>
</context>
<context>
    <name>repalign::gui::NeuronModel</name>
    <message>
        <source>Unit %1</source>
        <translation>Unit %1</translation>
    </message>
    <message>
        <source>Unit %1
II-LPIPS %2, II-color %3, II-label %4</source>
        <translation>Unit %1
II-LPIPS %2, II-Farbe %3, II-Label %4</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Unit</translation>
    </message>
    <message>
        <source>II-LPIPS</source>
        <translation>II-LPIPS</translation>
    </message>
    <message>
        <source>II-color</source>
        <translation>II-Farbe</translation>
    </message>
    <message>
        <source>II-label</source>
        <translation>II-Label</translation>
    </message>
    <message>
        <source>Top activation</source>
        <translation>Höchste Aktivierung</translation>
    </message>
    <message>
        <source>MEIs</source>
        <translation>MEIs</translation>
    </message>
</context>
<context>
    <name>repalign::gui::NeuronsView</name>
    <message>
        <source>unit, &gt;0.3, &lt;0.2 or 0.2-0.4</source>
        <translation>Unit, &gt;0.3, &lt;0.2 oder 0.2-0.4</translation>
    </message>
    <message>
        <source>Unit numbers containing the text, or a range of the chosen metric</source>
        <translation>Unit-Nummern, die den Text enthalten, oder ein Bereich der gewählten Metrik</translation>
    </message>
    <message>
        <source>II-LPIPS</source>
        <translation>II-LPIPS</translation>
    </message>
    <message>
        <source>II-color</source>
        <translation>II-Farbe</translation>
    </message>
    <message>
        <source>II-label</source>
        <translation>II-Label</translation>
    </message>
    <message>
        <source>Top activation</source>
        <translation>Höchste Aktivierung</translation>
    </message>
    <message>
        <source>List</source>
        <translation>Liste</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>Raster</translation>
    </message>
    <message>
        <source>Export MEIs…</source>
        <translation>MEIs exportieren…</translation>
    </message>
    <message>
        <source>Analysis:</source>
        <translation>Analyse:</translation>
    </message>
    <message>
        <source>Compare with:</source>
        <translation>Vergleichen mit:</translation>
    </message>
    <message>
        <source>Filter:</source>
        <translation>Filter:</translation>
    </message>
    <message>
        <source>No analysis open</source>
        <translation>Keine Analyse geöffnet</translation>
    </message>
    <message>
        <source>Not a filter: type a unit number, &gt;0.3, &lt;0.2 or 0.2-0.4</source>
        <translation>Kein gültiger Filter: Unit-Nummer, &gt;0.3, &lt;0.2 oder 0.2-0.4 eingeben</translation>
    </message>
    <message>
        <source>%1 of %2 units</source>
        <translation>%1 von %2 Units</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>(no analyses in the project yet)</source>
        <translation>(noch keine Analysen im Projekt)</translation>
    </message>
    <message>
        <source>Cannot open the analysis: %1</source>
        <translation>Die Analyse lässt sich nicht öffnen: %1</translation>
    </message>
    <message>
        <source>&lt;b&gt;Uncalibrated LPIPS.&lt;/b&gt; %1 used random LPIPS weights (%2): II-LPIPS values show the pipeline working but are not comparable with the reference study. Install the LPIPS v0.1 AlexNet weights and analyse again.</source>
        <translation>&lt;b&gt;LPIPS unkalibriert.&lt;/b&gt; %1 verwendete zufällige LPIPS-Gewichte (%2): Die II-LPIPS-Werte zeigen, dass die Pipeline funktioniert, sind aber nicht mit der Referenzstudie vergleichbar. Installieren Sie die LPIPS-v0.1-AlexNet-Gewichte und analysieren Sie erneut.</translation>
    </message>
    <message>
        <source>Go to unit %1</source>
        <translation>Gehe zu Unit %1</translation>
    </message>
    <message>
        <source>Unit %1</source>
        <translation>Unit %1</translation>
    </message>
    <message>
        <source>%1: %2 units of %3 %4, k = %5, ii_diagonal %6</source>
        <translation>%1: %2 Units von %3 %4, k = %5, ii_diagonal %6</translation>
    </message>
    <message>
        <source>start %1 (best)
%2</source>
        <translation>Start %1 (bester)
%2</translation>
    </message>
    <message>
        <source>start %1
%2</source>
        <translation>Start %1
%2</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;: II-LPIPS %2 · II-color %3 · II-label %4 · top activation %5 · ii_diagonal %6</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;: II-LPIPS %2 · II-Farbe %3 · II-Label %4 · höchste Aktivierung %5 · ii_diagonal %6</translation>
    </message>
    <message>
        <source>%1 · synthesised</source>
        <translation>%1 · synthetisiert</translation>
    </message>
</context>
<context>
    <name>repalign::gui::PairwiseLpipsPlot</name>
    <message>
        <source>Pairwise LPIPS</source>
        <translation>Paarweises LPIPS</translation>
    </message>
    <message>
        <source>MEI</source>
        <translation>MEI</translation>
    </message>
    <message>
        <source>Pairwise LPIPS · %1</source>
        <translation>Paarweises LPIPS · %1</translation>
    </message>
    <message>
        <source>Pairwise LPIPS: not stored in this file</source>
        <translation>Paarweises LPIPS: in dieser Datei nicht gespeichert</translation>
    </message>
</context>
<context>
    <name>repalign::gui::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>folder with data_batch_1.bin … test_batch.bin</source>
        <translation>Ordner mit data_batch_1.bin … test_batch.bin</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> ms</translation>
    </message>
    <message>
        <source>How often runs written elsewhere are re-read (file changes are also watched)</source>
        <translation>Wie oft anderswo geschriebene Läufe neu gelesen werden (Dateiänderungen werden zusätzlich beobachtet)</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>The language changes after a restart.</source>
        <translation>Die Sprache wechselt nach einem Neustart.</translation>
    </message>
    <message>
        <source>CIFAR-10 folder:</source>
        <translation>CIFAR-10-Ordner:</translation>
    </message>
    <message>
        <source>Poll interval:</source>
        <translation>Abfrageintervall:</translation>
    </message>
    <message>
        <source>CIFAR-10 folder</source>
        <translation>CIFAR-10-Ordner</translation>
    </message>
    <message>
        <source>, %1 GiB</source>
        <translation>, %1 GiB</translation>
    </message>
    <message>
        <source>(CPU build of LibTorch: build against a CUDA LibTorch for GPUs)</source>
        <translation>(CPU-Build von LibTorch: für GPUs gegen ein CUDA-LibTorch bauen)</translation>
    </message>
    <message>
        <source>Compute devices:</source>
        <translation>Rechengeräte:</translation>
    </message>
</context>
<context>
    <name>repalign::gui::ProjectModel</name>
    <message>
        <source>Project</source>
        <translation>Projekt</translation>
    </message>
    <message>
        <source>%1
State: %2</source>
        <translation>%1
Zustand: %2</translation>
    </message>
    <message>
        <source> (%1 %)</source>
        <translation> (%1 %)</translation>
    </message>
    <message>
        <source>Checkpoints</source>
        <translation>Checkpoints</translation>
    </message>
    <message>
        <source>Analyses</source>
        <translation>Analysen</translation>
    </message>
    <message>
        <source>Running elsewhere: process %1 on %2; it cannot be resumed or written here until it ends.</source>
        <translation>Läuft anderswo: Prozess %1 auf %2; der Lauf kann hier erst fortgesetzt oder geschrieben werden, wenn er endet.</translation>
    </message>
    <message>
        <source>Not running: the process that wrote this status is gone (resume it from its last checkpoint).</source>
        <translation>Läuft nicht: Der Prozess, der diesen Status schrieb, existiert nicht mehr (vom letzten Checkpoint aus fortsetzen).</translation>
    </message>
    <message>
        <source>%1, %2 ranks</source>
        <translation>%1, %2 Prozesse</translation>
    </message>
</context>
<context>
    <name>repalign::gui::PsychRunnerDialog</name>
    <message>
        <source>Weakly activating</source>
        <translation>Schwach aktivierend</translation>
    </message>
    <message>
        <source>Strongly activating</source>
        <translation>Stark aktivierend</translation>
    </message>
    <message>
        <source>Which image in the middle belongs with the strongly activating images on the right?</source>
        <translation>Welches Bild in der Mitte gehört zu den stark aktivierenden Bildern rechts?</translation>
    </message>
    <message>
        <source>F</source>
        <translation>F</translation>
    </message>
    <message>
        <source>J</source>
        <translation>J</translation>
    </message>
    <message>
        <source>F or ← for the left image, J or → for the right one</source>
        <translation>F oder ← für das linke Bild, J oder → für das rechte</translation>
    </message>
    <message>
        <source>How sure are you? Press 1, 2 or 3</source>
        <translation>Wie sicher sind Sie? Drücken Sie 1, 2 oder 3</translation>
    </message>
    <message>
        <source>1
guessing</source>
        <translation>1
geraten</translation>
    </message>
    <message>
        <source>2
fairly sure</source>
        <translation>2
ziemlich sicher</translation>
    </message>
    <message>
        <source>3
sure</source>
        <translation>3
sicher</translation>
    </message>
    <message>
        <source>Correct!</source>
        <translation>Richtig!</translation>
    </message>
    <message>
        <source>Not quite: the framed image is the strongly activating one.</source>
        <translation>Nicht ganz: das umrahmte Bild ist das stark aktivierende.</translation>
    </message>
    <message>
        <source>Psychophysics experiment</source>
        <translation>Psychophysik-Experiment</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>e.g. P01</source>
        <translation>z. B. P01</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source> trials</source>
        <translation> Durchgänge</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>Starten</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Experiment folder:</source>
        <translation>Experimentordner:</translation>
    </message>
    <message>
        <source>Participant id:</source>
        <translation>Kennung der teilnehmenden Person:</translation>
    </message>
    <message>
        <source>Break every:</source>
        <translation>Pause alle:</translation>
    </message>
    <message>
        <source>Runs a planned experiment (repalign-cli psych plan) for one participant at this computer, full screen. Keys: F/J or ←/→ to choose, 1/2/3 for confidence, Esc to pause or quit. Every answer is saved at once to the experiment&apos;s results folder; the same participant id continues where it stopped.</source>
        <translation>Führt ein geplantes Experiment (repalign-cli psych plan) für eine teilnehmende Person an diesem Rechner im Vollbild aus. Tasten: F/J oder ←/→ zur Wahl, 1/2/3 für die Sicherheit, Esc zum Pausieren oder Beenden. Jede Antwort wird sofort im Ergebnisordner des Experiments gespeichert; dieselbe Kennung macht dort weiter, wo sie aufgehört hat.</translation>
    </message>
    <message>
        <source>Loading the images…</source>
        <translation>Bilder werden geladen…</translation>
    </message>
    <message>
        <source>Choose an experiment folder (holding plan.json)</source>
        <translation>Experimentordner wählen (mit plan.json)</translation>
    </message>
    <message>
        <source>Reading plan.json…</source>
        <translation>plan.json wird gelesen…</translation>
    </message>
    <message>
        <source>%1 trials: %2 practice, %3 main, %4 catch; %5 model(s), %6 reference images per side</source>
        <translation>%1 Durchgänge: %2 Übung, %3 Haupt, %4 Kontrolle; %5 Modell(e), %6 Referenzbilder je Seite</translation>
    </message>
    <message>
        <source>Choose the folder written by repalign-cli psych plan --out DIR.</source>
        <translation>Wählen Sie den von repalign-cli psych plan --out DIR geschriebenen Ordner.</translation>
    </message>
    <message>
        <source>%1 has answers already: the experiment continues at the first unanswered trial.</source>
        <translation>%1 hat schon Antworten: das Experiment geht beim ersten unbeantworteten Durchgang weiter.</translation>
    </message>
    <message>
        <source>Choose an experiment folder first (repalign-cli psych plan --out DIR).</source>
        <translation>Wählen Sie zuerst einen Experimentordner (repalign-cli psych plan --out DIR).</translation>
    </message>
    <message>
        <source>Participant id &apos;%1&apos; is not valid (valid: 1 to 128 letters, digits and _ - . @ : +).</source>
        <translation>Kennung &apos;%1&apos; ist ungültig (gültig: 1 bis 128 Buchstaben, Ziffern und _ - . @ : +).</translation>
    </message>
    <message>
        <source>Participant &apos;%1&apos; has answered all %2 trials already (%3); choose another participant id.</source>
        <translation>Teilnehmende Person &apos;%1&apos; hat bereits alle %2 Durchgänge beantwortet (%3); wählen Sie eine andere Kennung.</translation>
    </message>
    <message>
        <source>Welcome back. %1 of %2 trials are done; the experiment continues where it stopped.

Press the space bar to continue.</source>
        <translation>Willkommen zurück. %1 von %2 Durchgängen sind erledigt; das Experiment geht dort weiter, wo es aufgehört hat.

Drücken Sie die Leertaste zum Fortfahren.</translation>
    </message>
    <message>
        <source>In each trial you see two sets of images: on the right, images that strongly activate one unit of a neural network; on the left, images that activate it weakly. Which of the two images in the middle belongs with the strongly activating images on the right?

Press F (or ←) for the left image and J (or →) for the right one, or click it. Then say how sure you are: 1 = guessing, 2 = fairly sure, 3 = sure.

</source>
        <translation>In jedem Durchgang sehen Sie zwei Gruppen von Bildern: rechts Bilder, die eine Einheit eines neuronalen Netzes stark aktivieren; links Bilder, die sie schwach aktivieren. Welches der beiden Bilder in der Mitte gehört zu den stark aktivierenden Bildern rechts?

Drücken Sie F (oder ←) für das linke Bild und J (oder →) für das rechte, oder klicken Sie es an. Sagen Sie dann, wie sicher Sie sind: 1 = geraten, 2 = ziemlich sicher, 3 = sicher.

</translation>
    </message>
    <message>
        <source>First a few practice trials, with feedback. Press the space bar to start.</source>
        <translation>Zuerst ein paar Übungsdurchgänge mit Rückmeldung. Drücken Sie die Leertaste, um zu beginnen.</translation>
    </message>
    <message>
        <source>Press the space bar to start.</source>
        <translation>Drücken Sie die Leertaste, um zu beginnen.</translation>
    </message>
    <message>
        <source>%1 of %2 done</source>
        <translation>%1 von %2 fertig</translation>
    </message>
    <message>
        <source>Practice trial %1</source>
        <translation>Übungsdurchgang %1</translation>
    </message>
    <message>
        <source>Trial %1 of %2</source>
        <translation>Durchgang %1 von %2</translation>
    </message>
    <message>
        <source>The practice is over. From now on there is no feedback.

Press the space bar to start the experiment.</source>
        <translation>Die Übung ist vorbei. Ab jetzt gibt es keine Rückmeldung.

Drücken Sie die Leertaste, um das Experiment zu beginnen.</translation>
    </message>
    <message>
        <source>Time for a short break. %1 of %2 trials are done.

Press the space bar when you are ready to go on.</source>
        <translation>Zeit für eine kurze Pause. %1 von %2 Durchgängen sind erledigt.

Drücken Sie die Leertaste, wenn Sie bereit sind weiterzumachen.</translation>
    </message>
    <message>
        <source>Paused. %1 of %2 trials are done and saved (%3).

Press the space bar to continue, or Q to stop (start again with the same participant id to continue later).</source>
        <translation>Pausiert. %1 von %2 Durchgängen sind erledigt und gespeichert (%3).

Drücken Sie die Leertaste zum Fortfahren oder Q zum Beenden (mit derselben Kennung später weitermachen).</translation>
    </message>
    <message>
        <source>Thank you! All %1 trials are done and saved to %2.

Press Esc or the space bar to close.</source>
        <translation>Vielen Dank! Alle %1 Durchgänge sind erledigt und in %2 gespeichert.

Drücken Sie Esc oder die Leertaste zum Schließen.</translation>
    </message>
    <message>
        <source>The answers could not be saved: %1</source>
        <translation>Die Antworten konnten nicht gespeichert werden: %1</translation>
    </message>
</context>
<context>
    <name>repalign::gui::PsychView</name>
    <message>
        <source>Open…</source>
        <translation>Öffnen…</translation>
    </message>
    <message>
        <source>Run in-app experiment…</source>
        <translation>Experiment in der App ausführen…</translation>
    </message>
    <message>
        <source>Run a planned experiment (repalign-cli psych plan) for one participant at this computer, full screen; the answers go to the plan&apos;s results folder</source>
        <translation>Ein geplantes Experiment (repalign-cli psych plan) für eine teilnehmende Person an diesem Rechner im Vollbild ausführen; die Antworten gehen in den Ergebnisordner des Plans</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>Abbildung exportieren…</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>Label</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modell</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <source>95% CI</source>
        <translation>95-%-KI</translation>
    </message>
    <message>
        <source>Trials</source>
        <translation>Durchgänge</translation>
    </message>
    <message>
        <source>Participant</source>
        <translation>Teilnehmende Person</translation>
    </message>
    <message>
        <source>Catch accuracy</source>
        <translation>Kontrollgenauigkeit</translation>
    </message>
    <message>
        <source>Excluded</source>
        <translation>Ausgeschlossen</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Datei:</translation>
    </message>
    <message>
        <source>Open psychophysics results</source>
        <translation>Psychophysik-Ergebnisse öffnen</translation>
    </message>
    <message>
        <source>HDF5 files (*.h5 *.hdf5);;All files (*)</source>
        <translation>HDF5-Dateien (*.h5 *.hdf5);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>No psychophysics results yet. Plan an experiment from two or more analyses, run it in the browser (jsPsych, JATOS) or here with &quot;Run in-app experiment…&quot;, import the answers, then Open… the file:

  repalign-cli psych plan --analysis baseline.h5 --analysis tuned.h5 --out exp
  repalign-cli psych export exp    (a jsPsych folder, exp/web; --format jatos for JATOS)
  repalign-cli psych import exp --results exp/results/*.csv --out human.h5

To try the analysis first: repalign-cli psych simulate exp --out exp/results/simulated.csv answers as a simulated observer.</source>
        <translation>Noch keine Psychophysik-Ergebnisse. Planen Sie ein Experiment aus zwei oder mehr Analysen, führen Sie es im Browser (jsPsych, JATOS) oder hier mit „Experiment in der App ausführen…“ durch, importieren Sie die Antworten und öffnen Sie dann die Datei mit Öffnen…:

  repalign-cli psych plan --analysis baseline.h5 --analysis tuned.h5 --out exp
  repalign-cli psych export exp    (ein jsPsych-Ordner, exp/web; --format jatos für JATOS)
  repalign-cli psych import exp --results exp/results/*.csv --out human.h5

Um die Auswertung zuerst auszuprobieren: repalign-cli psych simulate exp --out exp/results/simulated.csv antwortet als simulierter Beobachter.</translation>
    </message>
    <message>
        <source>Simulated observer (noise %1): these answers come from repalign-cli psych simulate, not from people.</source>
        <translation>Simulierter Beobachter (Rauschen %1): diese Antworten stammen von repalign-cli psych simulate, nicht von Menschen.</translation>
    </message>
    <message>
        <source>Models compared with %1: statistic %2, p = %3</source>
        <translation>Modelle verglichen mit %1: Statistik %2, p = %3</translation>
    </message>
    <message numerus="yes">
        <source>%n participant(s), %1 excluded (catch-trial accuracy below %2)</source>
        <translation>
            <numerusform>%n Teilnehmende, %1 ausgeschlossen (Kontrollgenauigkeit unter %2)</numerusform>
            <numerusform>%n Teilnehmende, %1 ausgeschlossen (Kontrollgenauigkeit unter %2)</numerusform>
        </translation>
    </message>
    <message>
        <source>yes</source>
        <translation>ja</translation>
    </message>
    <message>
        <source>no</source>
        <translation>nein</translation>
    </message>
</context>
<context>
    <name>repalign::gui::SetupPanel</name>
    <message>
        <source>Baseline training</source>
        <translation>Training des Basismodells</translation>
    </message>
    <message>
        <source>Neural fine-tuning</source>
        <translation>Neuronale Feinabstimmung</translation>
    </message>
    <message>
        <source>Analysis</source>
        <translation>Analyse</translation>
    </message>
    <message>
        <source>&amp;Launch</source>
        <translation>&amp;Starten</translation>
    </message>
    <message>
        <source>Queue this as a job (Ctrl+Return)</source>
        <translation>Als Auftrag einreihen (Strg+Eingabe)</translation>
    </message>
    <message>
        <source>Load YAML…</source>
        <translation>YAML laden…</translation>
    </message>
    <message>
        <source>Save YAML…</source>
        <translation>YAML speichern…</translation>
    </message>
    <message>
        <source>Export for cluster…</source>
        <translation>Für den Cluster exportieren…</translation>
    </message>
    <message>
        <source>Writes the YAML and an sbatch script that runs repalign-cli with it</source>
        <translation>Schreibt die YAML-Datei und ein sbatch-Skript, das repalign-cli damit aufruft</translation>
    </message>
    <message>
        <source>Ready. Runs are written to %1</source>
        <translation>Bereit. Läufe werden nach %1 geschrieben</translation>
    </message>
    <message>
        <source>(no project open)</source>
        <translation>(kein Projekt geöffnet)</translation>
    </message>
    <message>
        <source>Queued: %1</source>
        <translation>Eingereiht: %1</translation>
    </message>
    <message>
        <source>Cannot launch</source>
        <translation>Start nicht möglich</translation>
    </message>
    <message>
        <source>Save YAML</source>
        <translation>YAML speichern</translation>
    </message>
    <message>
        <source>YAML (*.yaml *.yml)</source>
        <translation>YAML (*.yaml *.yml)</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>%1 gespeichert</translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation>Speichern nicht möglich</translation>
    </message>
    <message>
        <source>Load YAML</source>
        <translation>YAML laden</translation>
    </message>
    <message>
        <source>YAML (*.yaml *.yml);;All files (*)</source>
        <translation>YAML (*.yaml *.yml);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>%1 geladen</translation>
    </message>
    <message>
        <source>Cannot load</source>
        <translation>Laden nicht möglich</translation>
    </message>
    <message>
        <source>Export for cluster: choose a folder</source>
        <translation>Für den Cluster exportieren: Ordner wählen</translation>
    </message>
    <message>
        <source>Wrote %1 and its YAML</source>
        <translation>%1 und die YAML-Datei geschrieben</translation>
    </message>
    <message>
        <source>Export for cluster</source>
        <translation>Für den Cluster exportieren</translation>
    </message>
    <message>
        <source>Wrote
%1

Submit it with: sbatch %2</source>
        <translation>Geschrieben:
%1

Abschicken mit: sbatch %2</translation>
    </message>
    <message>
        <source>Cannot export</source>
        <translation>Export nicht möglich</translation>
    </message>
    <message>
        <source>From the images per second measured by this project&apos;s last training run on the same device</source>
        <translation>Aus den Bildern pro Sekunde, die der letzte Trainingslauf dieses Projekts auf demselben Gerät gemessen hat</translation>
    </message>
    <message>
        <source>%1 has no checkpoint yet</source>
        <translation>%1 hat noch keinen Checkpoint</translation>
    </message>
    <message>
        <source>About %1 (%2 images at %3 images/s, measured by %4)</source>
        <translation>Etwa %1 (%2 Bilder bei %3 Bildern/s, gemessen von %4)</translation>
    </message>
    <message>
        <source>Duration: no measurement yet on %1 (%2 images to train on)</source>
        <translation>Dauer: noch keine Messung auf %1 (%2 Bilder zu trainieren)</translation>
    </message>
    <message>
        <source>Behaviour</source>
        <translation>Verhalten</translation>
    </message>
</context>
<context>
    <name>repalign::gui::StudyConditionsModel</name>
    <message>
        <source>Condition</source>
        <translation>Bedingung</translation>
    </message>
    <message>
        <source>Stage</source>
        <translation>Stufe</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>Progress %</source>
        <translation>Fortschritt %</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>repalign::gui::StudyPanel</name>
    <message>
        <source>study.yaml</source>
        <translation>study.yaml</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>Öffnen…</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <source>folder for the runs (default: next to the study file, named after it)</source>
        <translation>Ordner für die Läufe (Vorgabe: neben der Studiendatei, nach ihr benannt)</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Study file:</source>
        <translation>Studiendatei:</translation>
    </message>
    <message>
        <source>Study folder:</source>
        <translation>Studienordner:</translation>
    </message>
    <message>
        <source>train:, tune: and analyze: blocks (the Setup forms&apos; YAML) and a grid:</source>
        <translation>train:-, tune:- und analyze:-Blöcke (das YAML der Setup-Formulare) und ein grid:</translation>
    </message>
    <message>
        <source>Axis (key path)</source>
        <translation>Achse (Schlüsselpfad)</translation>
    </message>
    <message>
        <source>Values</source>
        <translation>Werte</translation>
    </message>
    <message>
        <source>seed, or train./tune./analyze. followed by a key of that stage&apos;s config</source>
        <translation>seed, oder train./tune./analyze. gefolgt von einem Schlüssel der Konfiguration dieser Stufe</translation>
    </message>
    <message>
        <source>[0, 0.5, 1]</source>
        <translation>[0, 0.5, 1]</translation>
    </message>
    <message>
        <source>Add axis</source>
        <translation>Achse hinzufügen</translation>
    </message>
    <message>
        <source>Remove axis</source>
        <translation>Achse entfernen</translation>
    </message>
    <message>
        <source>Grid</source>
        <translation>Raster</translation>
    </message>
    <message>
        <source>Conditions run at once; the CPU threads are split between them</source>
        <translation>Gleichzeitig laufende Bedingungen; die CPU-Threads werden zwischen ihnen aufgeteilt</translation>
    </message>
    <message>
        <source>Plan</source>
        <translation>Planen</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Ausführen</translation>
    </message>
    <message>
        <source>Export for SLURM…</source>
        <translation>Für SLURM exportieren…</translation>
    </message>
    <message>
        <source>At once:</source>
        <translation>Gleichzeitig:</translation>
    </message>
    <message>
        <source>Double-click: a run opens in Monitor, an analysis in Neurons</source>
        <translation>Doppelklick: ein Lauf öffnet sich im Monitor, eine Analyse unter Neuronen</translation>
    </message>
    <message>
        <source>Give the axis a key path and a list of values, e.g. tune.alpha and [0, 0.5, 1].</source>
        <translation>Geben Sie der Achse einen Schlüsselpfad und eine Werteliste, z. B. tune.alpha und [0, 0.5, 1].</translation>
    </message>
    <message>
        <source>Loaded %1.</source>
        <translation>%1 geladen.</translation>
    </message>
    <message>
        <source>Open study</source>
        <translation>Studie öffnen</translation>
    </message>
    <message>
        <source>Study (*.yaml *.yml)</source>
        <translation>Studie (*.yaml *.yml)</translation>
    </message>
    <message>
        <source>Save study</source>
        <translation>Studie speichern</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>%1 gespeichert.</translation>
    </message>
    <message>
        <source>Study folder</source>
        <translation>Studienordner</translation>
    </message>
    <message>
        <source>Choose a study folder (where the runs go) first.</source>
        <translation>Wählen Sie zuerst einen Studienordner (für die Läufe).</translation>
    </message>
    <message>
        <source>Planning…</source>
        <translation>Plane…</translation>
    </message>
    <message numerus="yes">
        <source>%n runs planned.</source>
        <translation>
            <numerusform>%n Läufe geplant.</numerusform>
            <numerusform>%n Läufe geplant.</numerusform>
        </translation>
    </message>
    <message>
        <source>repalign-cli was not found next to this program or on PATH; the study runs each condition through it.</source>
        <translation>repalign-cli wurde weder neben diesem Programm noch im PATH gefunden; die Studie führt jede Bedingung damit aus.</translation>
    </message>
    <message>
        <source>Study %1</source>
        <translation>Studie %1</translation>
    </message>
    <message>
        <source>%1 finished, %2 skipped, %3 failed, %4 not started</source>
        <translation>%1 fertig, %2 übersprungen, %3 fehlgeschlagen, %4 nicht gestartet</translation>
    </message>
    <message>
        <source>Study queued: %1</source>
        <translation>Studie eingereiht: %1</translation>
    </message>
    <message>
        <source>Export for SLURM</source>
        <translation>Für SLURM exportieren</translation>
    </message>
    <message>
        <source>cluster default</source>
        <translation>Cluster-Vorgabe</translation>
    </message>
    <message>
        <source>no limit</source>
        <translation>keine Grenze</translation>
    </message>
    <message>
        <source>Partition:</source>
        <translation>Partition:</translation>
    </message>
    <message>
        <source>Account:</source>
        <translation>Konto:</translation>
    </message>
    <message>
        <source>Time per condition:</source>
        <translation>Zeit pro Bedingung:</translation>
    </message>
    <message>
        <source>GPUs per task:</source>
        <translation>GPUs pro Task:</translation>
    </message>
    <message>
        <source>CPUs per task:</source>
        <translation>CPUs pro Task:</translation>
    </message>
    <message>
        <source>Conditions at once:</source>
        <translation>Bedingungen gleichzeitig:</translation>
    </message>
    <message>
        <source>repalign-cli was not found next to this program or on PATH.</source>
        <translation>repalign-cli wurde weder neben diesem Programm noch im PATH gefunden.</translation>
    </message>
    <message>
        <source>Wrote:
%1

Submit on the cluster with: bash %2</source>
        <translation>Geschrieben:
%1

Auf dem Cluster abschicken mit: bash %2</translation>
    </message>
    <message>
        <source>SLURM scripts written.</source>
        <translation>SLURM-Skripte geschrieben.</translation>
    </message>
    <message>
        <source>%1 has not been written yet.</source>
        <translation>%1 wurde noch nicht geschrieben.</translation>
    </message>
    <message>
        <source>Open in Neurons</source>
        <translation>Unter Neuronen öffnen</translation>
    </message>
    <message>
        <source>Compare with its baseline in Distributions</source>
        <translation>Unter Verteilungen mit seiner Baseline vergleichen</translation>
    </message>
    <message>
        <source>Show in Monitor</source>
        <translation>Im Monitor zeigen</translation>
    </message>
    <message>
        <source>Examples</source>
        <translation>Beispiele</translation>
    </message>
    <message>
        <source>Open a copy of a study shipped with the program</source>
        <translation>Eine Kopie einer mitgelieferten Studie öffnen</translation>
    </message>
    <message>
        <source>Zip group</source>
        <translation>Zip-Gruppe</translation>
    </message>
    <message>
        <source>Axes with the same zip group advance together (their value lists have the same length) instead of crossing</source>
        <translation>Achsen mit derselben Zip-Gruppe laufen gemeinsam weiter (ihre Wertelisten sind gleich lang), statt gekreuzt zu werden</translation>
    </message>
    <message>
        <source>Zip selected</source>
        <translation>Auswahl zippen</translation>
    </message>
    <message>
        <source>The selected axes advance together instead of crossing (a zip group in study.yaml)</source>
        <translation>Die gewählten Achsen laufen gemeinsam weiter, statt gekreuzt zu werden (eine Zip-Gruppe in study.yaml)</translation>
    </message>
    <message>
        <source>Unzip</source>
        <translation>Entzippen</translation>
    </message>
    <message>
        <source>The selected axes cross the others again</source>
        <translation>Die gewählten Achsen werden wieder mit den anderen gekreuzt</translation>
    </message>
    <message>
        <source>Select two or more axes to zip them.</source>
        <translation>Wählen Sie zwei oder mehr Achsen, um sie zu zippen.</translation>
    </message>
    <message>
        <source>Save a copy of the example %1</source>
        <translation>Eine Kopie des Beispiels %1 speichern</translation>
    </message>
    <message>
        <source>There is no example study named %1 (examples: %2).</source>
        <translation>Es gibt keine Beispielstudie namens %1 (Beispiele: %2).</translation>
    </message>
</context>
<context>
    <name>repalign::gui::StudyResultsView</name>
    <message>
        <source>Conditions</source>
        <translation>Bedingungen</translation>
    </message>
    <message>
        <source>Figure</source>
        <translation>Abbildung</translation>
    </message>
    <message>
        <source>Comparison</source>
        <translation>Vergleich</translation>
    </message>
    <message>
        <source>The grid axis along the x axis</source>
        <translation>Die Rasterachse entlang der x-Achse</translation>
    </message>
    <message>
        <source>The II metric: mean over the units with a 95% bootstrap confidence interval</source>
        <translation>Die II-Metrik: Mittelwert über die Einheiten mit einem 95-%-Bootstrap-Konfidenzintervall</translation>
    </message>
    <message>
        <source>A grid axis whose values get one line each</source>
        <translation>Eine Rasterachse, deren Werte je eine Linie erhalten</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <source>Classification accuracy on a second y axis</source>
        <translation>Klassifikationsgenauigkeit auf einer zweiten y-Achse</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>Abbildung exportieren…</translation>
    </message>
    <message>
        <source>x:</source>
        <translation>x:</translation>
    </message>
    <message>
        <source>y:</source>
        <translation>y:</translation>
    </message>
    <message>
        <source>Lines:</source>
        <translation>Linien:</translation>
    </message>
    <message>
        <source>Second axis:</source>
        <translation>Zweite Achse:</translation>
    </message>
    <message>
        <source>The figure appears when analyses have finished.</source>
        <translation>Die Abbildung erscheint, sobald Analysen abgeschlossen sind.</translation>
    </message>
    <message>
        <source>Each tuned condition against its own baseline, when analyses have finished.</source>
        <translation>Jede feinabgestimmte Bedingung gegen ihre eigene Baseline, sobald Analysen abgeschlossen sind.</translation>
    </message>
    <message>
        <source>Copy as Markdown</source>
        <translation>Als Markdown kopieren</translation>
    </message>
    <message>
        <source>Copy as LaTeX</source>
        <translation>Als LaTeX kopieren</translation>
    </message>
    <message>
        <source>Save as CSV…</source>
        <translation>Als CSV speichern…</translation>
    </message>
    <message>
        <source>The study has no grid axis to plot against.</source>
        <translation>Die Studie hat keine Rasterachse, gegen die gezeichnet werden kann.</translation>
    </message>
    <message>
        <source>%1 (mean, 95% CI)</source>
        <translation>%1 (Mittelwert, 95-%-KI)</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>Genauigkeit</translation>
    </message>
    <message>
        <source>No finished analysis has a value for %1 yet.</source>
        <translation>Noch keine abgeschlossene Analyse hat einen Wert für %1.</translation>
    </message>
    <message numerus="yes">
        <source>%n points from the finished analyses; error bars: 95% bootstrap CI of the mean.</source>
        <translation>
            <numerusform>%n Punkte aus den abgeschlossenen Analysen; Fehlerbalken: 95-%-Bootstrap-KI des Mittelwerts.</numerusform>
            <numerusform>%n Punkte aus den abgeschlossenen Analysen; Fehlerbalken: 95-%-Bootstrap-KI des Mittelwerts.</numerusform>
        </translation>
    </message>
    <message>
        <source>There is no comparison yet: no analysis has finished.</source>
        <translation>Es gibt noch keinen Vergleich: keine Analyse ist abgeschlossen.</translation>
    </message>
    <message>
        <source>Save comparison</source>
        <translation>Vergleich speichern</translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation>CSV (*.csv)</translation>
    </message>
    <message>
        <source>Saved %1.</source>
        <translation>%1 gespeichert.</translation>
    </message>
</context>
<context>
    <name>repalign::gui::TrainFormPanel</name>
    <message>
        <source>Run and data</source>
        <translation>Lauf und Daten</translation>
    </message>
    <message>
        <source>Run name:</source>
        <translation>Name des Laufs:</translation>
    </message>
    <message>
        <source>Folder created in the project for this run</source>
        <translation>Ordner, der für diesen Lauf im Projekt angelegt wird</translation>
    </message>
    <message>
        <source>Dataset:</source>
        <translation>Datensatz:</translation>
    </message>
    <message>
        <source>Named dataset; the data specs below override where it is read from</source>
        <translation>Benannter Datensatz; die Datenangaben darunter bestimmen, woher gelesen wird</translation>
    </message>
    <message>
        <source>from the dataset (e.g. cifar10:/data/cifar-10-batches-bin)</source>
        <translation>aus dem Datensatz (z. B. cifar10:/data/cifar-10-batches-bin)</translation>
    </message>
    <message>
        <source>Training data:</source>
        <translation>Trainingsdaten:</translation>
    </message>
    <message>
        <source>Data spec: cifar10:DIR, idx:DIR, folder:DIR or shapes:N[:SEED]</source>
        <translation>Datenangabe: cifar10:DIR, idx:DIR, folder:DIR oder shapes:N[:SEED]</translation>
    </message>
    <message>
        <source>same source, test split</source>
        <translation>gleiche Quelle, Testteil</translation>
    </message>
    <message>
        <source>Validation data:</source>
        <translation>Validierungsdaten:</translation>
    </message>
    <message>
        <source>Data spec for the validation split</source>
        <translation>Datenangabe für den Validierungsteil</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>%1 M parameters</source>
        <translation>%1 Mio. Parameter</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>Genauigkeit (Zahlenformat):</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>Epoche</translation>
    </message>
    <message>
        <source>LR</source>
        <translation>LR</translation>
    </message>
    <message>
        <source>Learning rate over the run, per step</source>
        <translation>Lernrate über den Lauf, je Schritt</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>cpu, cuda or cuda:N</source>
        <translation>cpu, cuda oder cuda:N</translation>
    </message>
    <message>
        <source>all cores</source>
        <translation>alle Kerne</translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation>CPU-Threads:</translation>
    </message>
    <message>
        <source>Data workers:</source>
        <translation>Daten-Worker:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>last</source>
        <translation>letzter</translation>
    </message>
    <message>
        <source>best loss</source>
        <translation>bester Loss</translation>
    </message>
    <message>
        <source>best accuracy</source>
        <translation>beste Genauigkeit</translation>
    </message>
    <message>
        <source>Checkpoints:</source>
        <translation>Checkpoints:</translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;run.name&apos; must be a folder name (not empty, no &apos;/&apos;, not starting with &apos;.&apos;)</source>
        <translation>&lt;form&gt;: key &apos;run.name&apos; muss ein Ordnername sein (nicht leer, kein &apos;/&apos;, nicht mit &apos;.&apos; beginnend)</translation>
    </message>
    <message>
        <source>Reference study (ResNet-18, 150 epochs, batch 256)</source>
        <translation>Referenzstudie (ResNet-18, 150 Epochen, Batch 256)</translation>
    </message>
    <message>
        <source>Demo on this machine (the demo&apos;s data, 2 epochs, batch 64)</source>
        <translation>Demo auf diesem Rechner (Daten der Demo, 2 Epochen, Batch 64)</translation>
    </message>
    <message>
        <source>Shipped config: %1</source>
        <translation>Mitgelieferte Konfiguration: %1</translation>
    </message>
    <message>
        <source>Fills the form with a recipe; every field stays editable</source>
        <translation>Füllt das Formular mit einem Rezept; jedes Feld bleibt bearbeitbar</translation>
    </message>
    <message>
        <source>Preset:</source>
        <translation>Vorlage:</translation>
    </message>
    <message>
        <source>bf16: autocast on the CPU or CUDA (faster only with native bf16, see repalign-cli devices); fp16: CUDA only</source>
        <translation>bf16: Autocast auf CPU oder CUDA (nur mit nativem bf16 schneller, siehe repalign-cli devices); fp16: nur CUDA</translation>
    </message>
</context>
<context>
    <name>repalign::gui::TuneFormPanel</name>
    <message>
        <source>Base model and brain data</source>
        <translation>Basismodell und Hirndaten</translation>
    </message>
    <message>
        <source>Run name:</source>
        <translation>Name des Laufs:</translation>
    </message>
    <message>
        <source>Folder created in the project for this run</source>
        <translation>Ordner, der für diesen Lauf im Projekt angelegt wird</translation>
    </message>
    <message>
        <source>baseline checkpoint (.pt / .pth)</source>
        <translation>Checkpoint des Basismodells (.pt / .pth)</translation>
    </message>
    <message>
        <source>Base checkpoint:</source>
        <translation>Basis-Checkpoint:</translation>
    </message>
    <message>
        <source>Checkpoints (*.pt *.pth);;All files (*)</source>
        <translation>Checkpoints (*.pt *.pth);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>The trained baseline; a copy becomes the student, the original the frozen teacher</source>
        <translation>Das trainierte Basismodell; eine Kopie wird der Schüler, das Original der eingefrorene Lehrer</translation>
    </message>
    <message>
        <source>from the checkpoint</source>
        <translation>aus dem Checkpoint</translation>
    </message>
    <message>
        <source>Architecture:</source>
        <translation>Architektur:</translation>
    </message>
    <message>
        <source>Only needed for PyTorch files that do not record it</source>
        <translation>Nur für PyTorch-Dateien nötig, die sie nicht enthalten</translation>
    </message>
    <message>
        <source>NSD bundle (.h5)</source>
        <translation>NSD-Bundle (.h5)</translation>
    </message>
    <message>
        <source>Bundle:</source>
        <translation>Bundle:</translation>
    </message>
    <message>
        <source>NSD bundles (*.h5 *.hdf5);;All files (*)</source>
        <translation>NSD-Bundles (*.h5 *.hdf5);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>Stimuli and voxel responses (File ▸ Import NSD… writes one)</source>
        <translation>Stimuli und Voxel-Antworten (Datei ▸ NSD importieren… erzeugt eines)</translation>
    </message>
    <message>
        <source>ROIs:</source>
        <translation>ROIs:</translation>
    </message>
    <message>
        <source>Comma-separated; one readout per ROI</source>
        <translation>Durch Kommas getrennt; ein Readout je ROI</translation>
    </message>
    <message>
        <source>Accuracy data:</source>
        <translation>Daten für die Genauigkeit:</translation>
    </message>
    <message>
        <source>Readout and distillation</source>
        <translation>Readout und Distillation</translation>
    </message>
    <message>
        <source>Layer:</source>
        <translation>Schicht:</translation>
    </message>
    <message>
        <source>Layer the readout reads</source>
        <translation>Schicht, die das Readout liest</translation>
    </message>
    <message>
        <source>Pooling:</source>
        <translation>Pooling:</translation>
    </message>
    <message>
        <source>flatten: every element (512×2×2 = 2048 inputs); mean: spatial mean</source>
        <translation>flatten: jedes Element (512×2×2 = 2048 Eingänge); mean: räumlicher Mittelwert</translation>
    </message>
    <message>
        <source>Output activation:</source>
        <translation>Ausgabe-Aktivierung:</translation>
    </message>
    <message>
        <source>Freeze the backbone (train only the readout)</source>
        <translation>Backbone einfrieren (nur das Readout trainieren)</translation>
    </message>
    <message>
        <source>Alpha (KD weight):</source>
        <translation>Alpha (KD-Gewicht):</translation>
    </message>
    <message>
        <source>loss = MSE + alpha · KL(student ‖ teacher); 0 = no distillation</source>
        <translation>Loss = MSE + Alpha · KL(Schüler ‖ Lehrer); 0 = keine Distillation</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>all cores</source>
        <translation>alle Kerne</translation>
    </message>
    <message>
        <source>CPU threads:</source>
        <translation>CPU-Threads:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;run.name&apos; must be a folder name (not empty, no &apos;/&apos;, not starting with &apos;.&apos;)</source>
        <translation>&lt;form&gt;: key &apos;run.name&apos; muss ein Ordnername sein (nicht leer, kein &apos;/&apos;, nicht mit &apos;.&apos; beginnend)</translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;base.checkpoint&apos; is required: choose the baseline checkpoint to tune</source>
        <translation>&lt;form&gt;: key &apos;base.checkpoint&apos; ist erforderlich: Wählen Sie den Checkpoint des Basismodells</translation>
    </message>
    <message>
        <source>&lt;form&gt;: key &apos;bundle&apos; is required: choose an NSD bundle (File ▸ Import NSD… writes one)</source>
        <translation>&lt;form&gt;: key &apos;bundle&apos; ist erforderlich: Wählen Sie ein NSD-Bundle (Datei ▸ NSD importieren… erzeugt eines)</translation>
    </message>
    <message>
        <source>Data spec for the per-epoch classification accuracy; auto = the data the base run was validated on (else CIFAR-10 where found); none = skip</source>
        <translation>Datenangabe für die Klassifikationsgenauigkeit je Epoche; auto = die Daten, auf denen der Basislauf validiert wurde (sonst CIFAR-10, falls vorhanden); none = überspringen</translation>
    </message>
    <message>
        <source>Reading the checkpoint…</source>
        <translation>Checkpoint wird gelesen…</translation>
    </message>
    <message>
        <source>%1 does not exist</source>
        <translation>%1 existiert nicht</translation>
    </message>
    <message>
        <source>architecture not recorded (choose it below)</source>
        <translation>Architektur nicht gespeichert (unten wählen)</translation>
    </message>
    <message>
        <source>epoch %1</source>
        <translation>Epoche %1</translation>
    </message>
    <message>
        <source>best accuracy %1</source>
        <translation>beste Genauigkeit %1</translation>
    </message>
    <message numerus="yes">
        <source>%n tensor(s)</source>
        <translation>
            <numerusform>%n Tensor</numerusform>
            <numerusform>%n Tensoren</numerusform>
        </translation>
    </message>
    <message>
        <source>readouts: %1</source>
        <translation>Readouts: %1</translation>
    </message>
    <message>
        <source>Rehearsal (original task)</source>
        <translation>Rehearsal (ursprüngliche Aufgabe)</translation>
    </message>
    <message>
        <source>off (e.g. cifar10:data)</source>
        <translation>aus (z. B. cifar10:data)</translation>
    </message>
    <message>
        <source>Rehearsal data:</source>
        <translation>Rehearsal-Daten:</translation>
    </message>
    <message>
        <source>Data spec of the original task; each step also draws a batch of its training split</source>
        <translation>Datenangabe der ursprünglichen Aufgabe; jeder Schritt zieht zusätzlich einen Batch aus ihrem Trainingssplit</translation>
    </message>
    <message>
        <source>Rehearsal weight:</source>
        <translation>Rehearsal-Gewicht:</translation>
    </message>
    <message>
        <source>loss += weight · cross-entropy on the true labels; 0 = off</source>
        <translation>Loss += Gewicht · Kreuzentropie auf den wahren Labels; 0 = aus</translation>
    </message>
    <message>
        <source>as the tuning batch</source>
        <translation>wie der Tuning-Batch</translation>
    </message>
    <message>
        <source>Rehearsal batch size:</source>
        <translation>Rehearsal-Batchgröße:</translation>
    </message>
    <message>
        <source>Precision:</source>
        <translation>Genauigkeit (Zahlenformat):</translation>
    </message>
    <message>
        <source>bf16: autocast on the CPU or CUDA (faster only with native bf16, see repalign-cli devices); fp16: CUDA only</source>
        <translation>bf16: Autocast auf CPU oder CUDA (nur mit nativem bf16 schneller, siehe repalign-cli devices); fp16: nur CUDA</translation>
    </message>
</context>
<context>
    <name>repalign::gui::VoxelSynthView</name>
    <message>
        <source>%1 (%2) has no /synth group.</source>
        <translation>%1 (%2) hat keine Gruppe /synth.</translation>
    </message>
    <message>
        <source>%1 (%2) holds %3 images, not voxel images (visualize --objective voxel).</source>
        <translation>%1 (%2) enthält %3-Bilder, keine Voxelbilder (visualize --objective voxel).</translation>
    </message>
    <message>
        <source>Baseline file…</source>
        <translation>Baseline-Datei…</translation>
    </message>
    <message>
        <source>Tuned file…</source>
        <translation>Feinabgestimmte Datei…</translation>
    </message>
    <message>
        <source>Voxel</source>
        <translation>Voxel</translation>
    </message>
    <message>
        <source>Baseline (ridge readout)</source>
        <translation>Baseline (Ridge-Readout)</translation>
    </message>
    <message>
        <source>Predicted</source>
        <translation>Vorhergesagt</translation>
    </message>
    <message>
        <source>Tuned (own readout)</source>
        <translation>Feinabgestimmt (eigenes Readout)</translation>
    </message>
    <message>
        <source>No voxel images yet. Write them with:
repalign-cli visualize --checkpoint BASELINE.pt --objective voxel --readout ridge --bundle BUNDLE.h5 --roi V4 --voxels 0-9 --out baseline-voxels.h5
repalign-cli visualize --checkpoint TUNED.pt --objective voxel --readout checkpoint --roi V4 --voxels 0-9 --out tuned-voxels.h5
then open the two files here.</source>
        <translation>Noch keine Voxelbilder. Schreiben Sie sie mit:
repalign-cli visualize --checkpoint BASELINE.pt --objective voxel --readout ridge --bundle BUNDLE.h5 --roi V4 --voxels 0-9 --out baseline-voxels.h5
repalign-cli visualize --checkpoint TUNED.pt --objective voxel --readout checkpoint --roi V4 --voxels 0-9 --out tuned-voxels.h5
und öffnen Sie dann die beiden Dateien hier.</translation>
    </message>
    <message>
        <source>Open baseline voxel images</source>
        <translation>Baseline-Voxelbilder öffnen</translation>
    </message>
    <message>
        <source>Open tuned voxel images</source>
        <translation>Feinabgestimmte Voxelbilder öffnen</translation>
    </message>
    <message>
        <source>HDF5 files (*.h5 *.hdf5);;All files (*)</source>
        <translation>HDF5-Dateien (*.h5 *.hdf5);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>Wird gelesen…</translation>
    </message>
    <message>
        <source>baseline</source>
        <translation>Baseline</translation>
    </message>
    <message>
        <source>tuned</source>
        <translation>feinabgestimmt</translation>
    </message>
    <message>
        <source>The files are for different ROIs (%1 and %2).</source>
        <translation>Die Dateien gehören zu verschiedenen ROIs (%1 und %2).</translation>
    </message>
    <message>
        <source>The baseline file uses a checkpoint readout, not a ridge fit (visualize --readout ridge).</source>
        <translation>Die Baseline-Datei verwendet ein Checkpoint-Readout, keinen Ridge-Fit (visualize --readout ridge).</translation>
    </message>
</context>
</TS>
