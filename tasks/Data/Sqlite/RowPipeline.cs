using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Hands converted rows to a writer thread in fixed batches. Batches are recycled (at most <see cref="BatchCount"/> exist),
/// so memory stays flat whatever the table size and no batch reaches the large-object heap.
/// </summary>
internal sealed class RowPipeline : IDisposable
{
    private const int BatchRows = 256;
    private const int BatchCount = 16;

    private readonly IRowSink _sink;
    private readonly int _columns;
    private readonly BlockingCollection<Batch> _full = new(BatchCount);
    private readonly BlockingCollection<Batch> _free = new(BatchCount);
    private readonly CancellationTokenSource _writerFailed = new();
    private readonly Task _writer;
    private Batch _current;

    public RowPipeline(IRowSink sink, int columns)
    {
        _sink = sink;
        _columns = columns;
        for (var i = 0; i < BatchCount; i++) _free.Add(new Batch(new CellValue[BatchRows * columns]));
        _current = _free.Take();
        _writer = Task.Factory.StartNew(Write, TaskCreationOptions.LongRunning);
    }

    public Exception? WriterError { get; private set; }

    /// <summary>The cells of the next row, to fill in column order.</summary>
    public Span<CellValue> NextRow()
    {
        if (_current.Rows == BatchRows)
        {
            _full.Add(_current, _writerFailed.Token);
            _current = _free.Take(_writerFailed.Token);
            _current.Rows = 0;
        }
        return _current.Cells.AsSpan(_current.Rows++ * _columns, _columns);
    }

    /// <summary>Flushes the last batch and waits until the writer has written everything (rethrowing its error).</summary>
    public void Finish()
    {
        if (_current.Rows > 0) _full.Add(_current, _writerFailed.Token);
        _full.CompleteAdding();
        try
        {
            _writer.Wait();
        }
        catch (AggregateException)
        {
        }
        if (WriterError is not null) ThrowWriterError();
    }

    public void ThrowWriterError() => ExceptionDispatchInfo.Throw(WriterError!);

    private void Write()
    {
        try
        {
            foreach (var batch in _full.GetConsumingEnumerable())
            {
                for (var row = 0; row < batch.Rows; row++)
                {
                    _sink.StartRow();
                    var offset = row * _columns;
                    for (var column = 0; column < _columns; column++) _sink.Write(batch.Cells[offset + column]);
                }
                Array.Clear(batch.Cells); // drop references to strings and blobs already sent
                batch.Rows = 0;
                _free.Add(batch);
            }
        }
        catch (Exception ex)
        {
            WriterError = ex;
            _writerFailed.Cancel();
        }
    }

    public void Dispose()
    {
        if (!_full.IsAddingCompleted) _full.CompleteAdding();
        try
        {
            _writer.Wait(TimeSpan.FromSeconds(30));
        }
        catch (AggregateException)
        {
        }
        _full.Dispose();
        _free.Dispose();
        _writerFailed.Dispose();
    }

    private sealed class Batch(CellValue[] cells)
    {
        public CellValue[] Cells { get; } = cells;
        public int Rows { get; set; }
    }
}
